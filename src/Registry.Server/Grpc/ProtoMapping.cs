using Google.Protobuf.WellKnownTypes;
using Registry.Core.Instances;
using Registry.Core.Merge;
using Registry.Core.View;
using Registry.Core.Zones;
using Endpoint = Registry.Core.Merge.Endpoint;
using V1 = Registry.V1;

namespace Registry.Server.Grpc;

/// <summary>Maps the view's domain types onto the contract's messages (one direction: the view is never read back).</summary>
internal static class ProtoMapping
{
    public static V1.Revision Revision(ViewRevision revision) => new()
    {
        Zxid = revision.Zxid,
        ZoneSerials = revision.ZoneSerials,
        ZoneDigest = revision.ZoneDigest,
        Text = revision.ToString(),
    };

    /// <summary>The revision a client sent; the text form is ignored (the numbers are what the server compares).</summary>
    public static ViewRevision Revision(V1.Revision revision) => new(revision.Zxid, revision.ZoneSerials, revision.ZoneDigest);

    public static V1.ViewInfo ViewInfo(ViewSnapshot view) => new()
    {
        Revision = Revision(view.Revision),
        Stale = view.Stale,
        CreatedAt = Timestamp.FromDateTimeOffset(view.CreatedAt),
        DefaultZone = view.DefaultZone,
    };

    /// <summary>The service with its endpoints and drift.</summary>
    public static V1.Service Service(MergedService service)
    {
        var message = ServiceHeader(service);
        foreach (var endpoint in service.Endpoints)
        {
            message.Endpoints.Add(Endpoint(endpoint));
        }

        return message;
    }

    /// <summary>The service without its endpoints: what a SERVICE_CHANGED change carries.</summary>
    public static V1.Service ServiceHeader(MergedService service) => new()
    {
        Name = service.Service.Value,
        Protocol = service.Protocol,
        Zone = service.Zone,
        SrvName = service.SrvName,
        Mode = Mode(service.Mode),
        Degraded = service.Degraded,
        Drift = Drift(service.Drift),
    };

    public static V1.ServiceSummary Summary(MergedService service) => new()
    {
        Name = service.Service.Value,
        Protocol = service.Protocol,
        Zone = service.Zone,
        SrvName = service.SrvName,
        Mode = Mode(service.Mode),
        Degraded = service.Degraded,
        Answers = service.Answer.Count(),
        DeclaredNotRunning = service.Drift.DeclaredNotRunning.Count,
        RunningUndeclared = service.Drift.RunningUndeclared.Count,
    };

    public static V1.Drift Drift(Drift drift)
    {
        var message = new V1.Drift();
        message.DeclaredNotRunning.AddRange(drift.DeclaredNotRunning.Select(Declared));
        message.RunningUndeclared.AddRange(drift.RunningUndeclared.Select(Registration));
        return message;
    }

    public static V1.Endpoint Endpoint(Endpoint endpoint)
    {
        var message = new V1.Endpoint
        {
            Target = endpoint.Target,
            Port = endpoint.Port,
            Priority = endpoint.Priority,
            Weight = endpoint.Weight,
            State = State(endpoint.State),
            InAnswer = endpoint.InAnswer,
            Declared = endpoint.Declared is { } declared ? Declared(declared) : null,
            Registration = endpoint.Instance is { } instance ? Registration(instance) : null,
        };
        foreach (var address in endpoint.Addresses)
        {
            message.Addresses.Add(address.ToString());
        }

        return message;
    }

    private static V1.DeclaredSource Declared(DeclaredTarget declared) => new()
    {
        Target = declared.Target,
        Port = declared.Port,
        File = declared.Source.File,
        Line = declared.Source.Line,
        Ttl = declared.Ttl,
    };

    private static V1.RegistrationSource Registration(ServiceInstance instance)
    {
        var message = new V1.RegistrationSource
        {
            Id = instance.Id,
            Address = instance.Address ?? "",
            Port = instance.Port ?? 0,
            Status = Status(instance.Status),
            Path = instance.Source?.Path ?? "",
            Session = instance.Source?.EphemeralOwner ?? 0,
            Czxid = instance.Source?.Czxid ?? 0,
            Mzxid = instance.Source?.Mzxid ?? 0,
        };
        foreach (var (key, value) in instance.Metadata)
        {
            message.Metadata[key] = value;
        }

        return message;
    }

    private static string Status(InstanceStatus status) => status switch
    {
        InstanceStatus.Up => "UP",
        InstanceStatus.Draining => "DRAINING",
        _ => "OUT_OF_SERVICE",
    };

    private static V1.ServiceMode Mode(ServiceMode mode) => mode switch
    {
        ServiceMode.Static => V1.ServiceMode.Static,
        ServiceMode.Hybrid => V1.ServiceMode.Hybrid,
        _ => V1.ServiceMode.Dynamic,
    };

    private static V1.EndpointState State(EndpointState state) => state switch
    {
        EndpointState.Declared => V1.EndpointState.Declared,
        EndpointState.Live => V1.EndpointState.Live,
        EndpointState.Drained => V1.EndpointState.Drained,
        EndpointState.Missing => V1.EndpointState.Missing,
        _ => V1.EndpointState.Undeclared,
    };
}
