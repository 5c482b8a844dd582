using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Registry.Core.Merge;
using Registry.Core.View;
using Registry.Server.Views;
using Endpoint = Registry.Core.Merge.Endpoint;

namespace Registry.Server.Http;

/// <summary><c>GET /v1/services</c>: every service of the view, in summary.</summary>
internal sealed record ServicesResponse(ViewHeader View, IReadOnlyList<ServiceSummary> Services);

/// <summary><c>GET /v1/services/{name}</c>: the services of that name (one per zone and protocol), in full.</summary>
internal sealed record ServiceResponse(ViewHeader View, IReadOnlyList<ServiceDetail> Services);

/// <summary>What every answer says about the view it comes from.</summary>
internal sealed record ViewHeader(
    string Revision,
    bool Stale,
    DateTimeOffset CreatedAt,
    string DefaultZone,
    IReadOnlyList<ZoneSummary> Zones,
    ZoneReloadSummary ZoneReload,
    ViewCounts Counts);

internal sealed record ZoneSummary(string Origin, uint Serial, string? File);

internal sealed record ZoneReloadSummary(DateTimeOffset LoadedAt, DateTimeOffset? RejectedAt, IReadOnlyList<string> Errors);

internal sealed record ViewCounts(int Services, int Instances, int Endpoints, int Degraded, long SkippedRegistrations);

internal sealed record ServiceSummary(
    string Name,
    string Protocol,
    string Zone,
    string SrvName,
    string Mode,
    bool Degraded,
    int Answers,
    int DeclaredNotRunning,
    int RunningUndeclared);

internal sealed record ServiceDetail(
    string Name,
    string Protocol,
    string Zone,
    string SrvName,
    string Mode,
    bool Degraded,
    IReadOnlyList<EndpointDetail> Endpoints,
    DriftDetail Drift);

/// <summary>One endpoint with its state and provenance: the zone file line that declares it, the znode that registers it, or both.</summary>
internal sealed record EndpointDetail(
    string Target,
    int Port,
    int Priority,
    int Weight,
    IReadOnlyList<string> Addresses,
    string State,
    bool InAnswer,
    DeclaredSource? Declared,
    RegistrationSource? Registration);

/// <summary>A zone file's SRV record: what it declares and where.</summary>
internal sealed record DeclaredSource(string Target, int Port, string File, int Line, int Ttl);

internal sealed record RegistrationSource(
    string Id,
    string? Address,
    int? Port,
    string Status,
    string? Path,
    string? Session,
    long? Czxid,
    long? Mzxid,
    IReadOnlyDictionary<string, string> Metadata);

internal sealed record DriftDetail(IReadOnlyList<DeclaredSource> DeclaredNotRunning, IReadOnlyList<RegistrationSource> RunningUndeclared);

internal sealed record ErrorResponse(string Error);

internal sealed record ReadinessResponse(bool Ready, bool Stale, string Revision);

/// <summary>Maps the view onto the JSON shapes above.</summary>
internal static class ViewDtos
{
    public static ViewHeader Header(ViewSnapshot view, LiveView live, long skipped)
    {
        var status = live.ZoneStatus;
        var files = live.Zones.Zones.ToDictionary(z => Absolute(z.Origin), z => z.File, StringComparer.OrdinalIgnoreCase);
        return new ViewHeader(
            view.Revision.ToString(),
            view.Stale,
            view.CreatedAt,
            view.DefaultZone,
            [.. view.Origins.Select(o => new ZoneSummary(o, view.Serial(o), files.GetValueOrDefault(o)))],
            new ZoneReloadSummary(status.LoadedAt, status.RejectedAt, status.Errors),
            new ViewCounts(view.ServiceCount, view.InstanceCount, view.EndpointCount, view.Degraded.Count, skipped));
    }

    public static ServiceSummary Summary(MergedService s) => new(
        s.Service.Value,
        s.Protocol,
        s.Zone,
        s.SrvName,
        Lower(s.Mode),
        s.Degraded,
        s.Answer.Count(),
        s.Drift.DeclaredNotRunning.Count,
        s.Drift.RunningUndeclared.Count);

    public static ServiceDetail Detail(MergedService s) => new(
        s.Service.Value,
        s.Protocol,
        s.Zone,
        s.SrvName,
        Lower(s.Mode),
        s.Degraded,
        [.. s.Endpoints.Select(EndpointOf)],
        new DriftDetail([.. s.Drift.DeclaredNotRunning.Select(Declared)], [.. s.Drift.RunningUndeclared.Select(Registration)]));

    public static EndpointDetail EndpointOf(Endpoint e) => new(
        e.Target,
        e.Port,
        e.Priority,
        e.Weight,
        [.. e.Addresses.Select(a => a.ToString())],
        Lower(e.State),
        e.InAnswer,
        e.Declared is { } d ? Declared(d) : null,
        e.Instance is { } i ? Registration(i) : null);

    public static string ModeOf(MergedService s) => Lower(s.Mode);

    private static DeclaredSource Declared(Core.Zones.DeclaredTarget d) => new(d.Target, d.Port, d.Source.File, d.Source.Line, d.Ttl);

    private static RegistrationSource Registration(Core.Instances.ServiceInstance i) => new(
        i.Id,
        i.Address,
        i.Port,
        i.Status.ToString().ToUpperInvariant(),
        i.Source?.Path,
        i.Source is { } source ? string.Create(CultureInfo.InvariantCulture, $"0x{source.EphemeralOwner:x}") : null,
        i.Source?.Czxid,
        i.Source?.Mzxid,
        i.Metadata);

    private static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string Absolute(string origin) => (origin.EndsWith('.') ? origin : origin + ".").ToLowerInvariant();
}

/// <summary>Source-generated serializers: no reflection per request.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ServicesResponse))]
[JsonSerializable(typeof(ServiceResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ReadinessResponse))]
[JsonSerializable(typeof(ResolveResponse))]
[JsonSerializable(typeof(HostResponse))]
internal sealed partial class ViewJsonContext : JsonSerializerContext;
