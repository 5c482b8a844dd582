using System.Text.Json;
using Registry.Core.Names;

namespace Registry.Core.Instances;

/// <summary>Decoding the document and its payload (Curator, Spring Cloud Zookeeper, Registry).</summary>
public static partial class ServiceInstanceCodec
{
    private static InstanceDecodeResult DecodeRoot(JsonElement root, ServiceName service, string instanceId, ZnodeSource? source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return InstanceDecodeResult.Failure($"top-level JSON value is {Describe(root.ValueKind)}, not an object");
        }

        string? name = null, id = null, address = null, uriSpec = null;
        int? port = null, sslPort = null;
        DateTimeOffset? registeredAt = null;
        var serviceType = "DYNAMIC";
        var enabled = true;
        var payload = new PayloadFields();

        // Last occurrence wins for repeated keys, as with Jackson.
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            var error = property.Name switch
            {
                "name" => ReadString(value, "name", out name),
                "id" => ReadString(value, "id", out id),
                "address" => ReadString(value, "address", out address),
                "port" => ReadInt(value, "port", 1, 65535, out port),
                "sslPort" => ReadInt(value, "sslPort", 1, 65535, out sslPort),
                "payload" => DecodePayload(value, payload),
                "registrationTimeUTC" => ReadTime(value, out registeredAt),
                "serviceType" => ReadServiceType(value, ref serviceType),
                "uriSpec" => ReadUriSpec(value, out uriSpec),
                "enabled" => ReadEnabled(value, ref enabled),
                _ => null,
            };
            if (error is not null)
            {
                return InstanceDecodeResult.Failure(error);
            }
        }

        if (name is not null && !string.Equals(name, service.Value, StringComparison.OrdinalIgnoreCase))
        {
            return InstanceDecodeResult.Failure($"name {Quote(name)} does not match the service {Quote(service.Value)} in the path");
        }

        if (id is not null && !IdMatchesZnode(id, instanceId, serviceType))
        {
            return InstanceDecodeResult.Failure($"id {Quote(id)} does not match the znode name {Quote(instanceId)}");
        }

        // Some writers emit "" for "no address"; it means the same as absent.
        if (string.IsNullOrEmpty(address))
        {
            address = null;
        }
        else if (CheckAddress(address) is { } addressError)
        {
            return InstanceDecodeResult.Failure(addressError);
        }

        if (address is null && payload.Hostname is null)
        {
            return InstanceDecodeResult.Failure("no address or hostname");
        }

        // Precedence: Curator's enabled=false (the writer turned it off) beats everything; Registry's explicit
        // status beats Spring's instance_status.
        var status = !enabled
            ? InstanceStatus.OutOfService
            : payload.Status ?? (IsSpringOutOfService(payload) ? InstanceStatus.OutOfService : InstanceStatus.Up);

        return InstanceDecodeResult.Success(new ServiceInstance
        {
            Service = service,
            Id = instanceId,
            Address = address,
            Port = port,
            SslPort = sslPort,
            Priority = payload.Priority,
            Weight = payload.Weight,
            Protocol = payload.Protocol ?? "tcp",
            Hostname = payload.Hostname,
            Ports = payload.Ports ?? new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase),
            Status = status,
            Metadata = payload.Metadata ?? new Dictionary<string, string>(StringComparer.Ordinal),
            RegisteredAt = registeredAt,
            ServiceType = serviceType,
            UriSpec = uriSpec,
            Source = source,
        });
    }

    // Curator creates DYNAMIC_SEQUENTIAL instances as EPHEMERAL_SEQUENTIAL znodes, so ZooKeeper appends a
    // ten-digit counter to the id in the znode name while the JSON keeps the bare id.
    private static bool IdMatchesZnode(string id, string znodeName, string serviceType)
    {
        if (string.Equals(id, znodeName, StringComparison.Ordinal))
        {
            return true;
        }

        return string.Equals(serviceType, "DYNAMIC_SEQUENTIAL", StringComparison.Ordinal)
            && znodeName.Length == id.Length + 10
            && znodeName.StartsWith(id, StringComparison.Ordinal)
            && znodeName.AsSpan(id.Length).IndexOfAnyExceptInRange('0', '9') < 0;
    }

    private static bool IsSpringOutOfService(PayloadFields payload)
    {
        var springStatus = payload.SpringInstanceStatus;
        if (springStatus is null && payload.Metadata is not null)
        {
            payload.Metadata.TryGetValue("instance_status", out springStatus);
        }

        // Spring Cloud writes UP or OUT_OF_SERVICE; anything else is left alone rather than rejected, as it is
        // another program's field.
        return string.Equals(springStatus, OutOfServiceText, StringComparison.OrdinalIgnoreCase);
    }

    private static string? DecodePayload(JsonElement payload, PayloadFields fields)
    {
        switch (payload.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Object:
                return DecodePayloadObject(payload, fields);
            case JsonValueKind.Array:
                // Jackson's WRAPPER_ARRAY default typing: ["com.example.Payload", {...}].
                if (payload.GetArrayLength() != 2 || payload[0].ValueKind != JsonValueKind.String)
                {
                    return "payload array must be [className, value]";
                }

                var inner = payload[1];
                return inner.ValueKind switch
                {
                    JsonValueKind.Object => DecodePayloadObject(inner, fields),
                    JsonValueKind.Array => "payload array must be [className, value]",
                    JsonValueKind.Null => null,
                    _ => KeepScalarPayload(inner, fields),
                };
            default:
                // A Curator String payload (or another scalar type): nothing for Registry, but worth keeping.
                return KeepScalarPayload(payload, fields);
        }
    }

    private static string? KeepScalarPayload(JsonElement payload, PayloadFields fields)
    {
        fields.Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["payload"] = payload.ValueKind == JsonValueKind.String ? payload.GetString()! : payload.GetRawText(),
        };
        return null;
    }

    private static string? DecodePayloadObject(JsonElement payload, PayloadFields fields)
    {
        // "@class" (Jackson type id) and Spring's "id"/"name" are ignored with every other unknown field.
        foreach (var property in payload.EnumerateObject())
        {
            var value = property.Value;
            string? error;
            switch (property.Name)
            {
                case "priority":
                    error = ReadInt(value, "payload.priority", 0, 65535, out var priority);
                    fields.Priority = priority;
                    break;
                case "weight":
                    error = ReadInt(value, "payload.weight", 0, 65535, out var weight);
                    fields.Weight = weight;
                    break;
                case "protocol":
                    error = ReadProtocol(value, out var protocol);
                    fields.Protocol = protocol;
                    break;
                case "hostname":
                    error = ReadHostname(value, out var hostname);
                    fields.Hostname = hostname;
                    break;
                case "ports":
                    error = ReadPorts(value, out var ports);
                    fields.Ports = ports;
                    break;
                case "status":
                    error = ReadStatus(value, out var status);
                    fields.Status = status;
                    break;
                case "metadata":
                    error = ReadMetadata(value, out var metadata);
                    fields.Metadata = metadata;
                    break;
                case "instance_status":
                    // Another program's field: tolerated whatever its type, used only when it is a string.
                    fields.SpringInstanceStatus = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    error = null;
                    break;
                default:
                    error = null;
                    break;
            }

            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }
}
