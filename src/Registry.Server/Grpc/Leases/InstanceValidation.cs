using Grpc.Core;
using Registry.Core.Instances;
using Registry.Core.Names;
using V1 = Registry.V1;

namespace Registry.Server.Grpc.Leases;

/// <summary>Turns a Register request's instance into a <see cref="ServiceInstance"/>, or InvalidArgument naming every problem.</summary>
internal static class InstanceValidation
{
    public static ServiceInstance ToInstance(V1.InstanceSpec spec, string? peerAddress)
    {
        var problems = new List<string>();
        if (!ServiceName.TryParse(spec.Service, out var service, out var serviceError))
        {
            problems.Add($"service {ClientText.Quote(spec.Service)}: {serviceError}");
        }

        if (DnsLabel.Check(spec.Id) is { } idError)
        {
            problems.Add($"id {ClientText.Quote(spec.Id)}: {idError}");
        }

        if (spec.Port is < 1 or > 65535)
        {
            problems.Add($"port {spec.Port} is not from 1 to 65535");
        }

        if (spec.HasPriority && spec.Priority is < 0 or > 65535)
        {
            problems.Add($"priority {spec.Priority} is not from 0 to 65535");
        }

        if (spec.HasWeight && spec.Weight is < 0 or > 65535)
        {
            problems.Add($"weight {spec.Weight} is not from 0 to 65535");
        }

        var protocol = spec.Protocol.Length == 0 ? "tcp" : spec.Protocol.ToLowerInvariant();
        if (protocol is not ("tcp" or "udp"))
        {
            problems.Add($"protocol {ClientText.Quote(spec.Protocol)} is not tcp or udp");
        }

        var address = spec.Address.Length > 0 ? spec.Address : peerAddress;
        if (string.IsNullOrEmpty(address) || address.Length > DnsLabel.MaxNameLength)
        {
            problems.Add("address: none given, and the peer's address is unknown");
        }

        if (problems.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "invalid instance: " + string.Join("; ", problems)));
        }

        return new ServiceInstance
        {
            Service = service,
            Id = spec.Id,
            Address = address,
            Port = spec.Port,
            Priority = spec.HasPriority ? spec.Priority : null,
            Weight = spec.HasWeight ? spec.Weight : null,
            Protocol = protocol,
            Status = spec.Draining ? InstanceStatus.Draining : InstanceStatus.Up,
            Metadata = new Dictionary<string, string>(spec.Metadata),
            RegisteredAt = DateTimeOffset.UtcNow,
        };
    }
}
