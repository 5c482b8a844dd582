namespace Registry.Core.Merge;

/// <summary>What a hybrid service does with live instances its zone file does not declare.</summary>
public enum UndeclaredPolicy
{
    /// <summary>Serve them (the default: registering is how a fleet grows past its zone file).</summary>
    Accept,
    /// <summary>Leave them out of answers; they still show as drift.</summary>
    Reject,
}
