namespace Registry.Server.Views;

/// <summary>The outcome of zone loading, for the API: when the served zones loaded, and what the last rejected reload said.</summary>
/// <param name="LoadedAt">When the zones being served were loaded.</param>
/// <param name="RejectedAt">When a later reload was rejected; null when none was since.</param>
/// <param name="Errors">The rejected reload's errors, each <c>file:line: message</c>; empty when none.</param>
internal sealed record ZoneReloadStatus(DateTimeOffset LoadedAt, DateTimeOffset? RejectedAt, IReadOnlyList<string> Errors);
