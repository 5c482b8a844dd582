using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Unicode;
using Registry.Core.Names;

namespace Registry.Core.Instances;

/// <summary>
/// Reads and writes instance znode data (DESIGN §3): Apache Curator x-discovery <c>ServiceInstance</c> JSON, with
/// Registry's fields in its <c>payload</c> object. The reader also takes what other writers produce: Curator with
/// a Jackson-typed payload (<c>"@class"</c> property or <c>[className, object]</c> wrapper array), a string or null
/// payload, and Spring Cloud Zookeeper's <c>ZookeeperInstance</c> payload. Hand-written over
/// <see cref="JsonDocument"/> so that every rejection names the field and the rule it broke.
/// </summary>
public static class ServiceInstanceCodec
{
    /// <summary>
    /// The largest znode data accepted, in bytes: ZooKeeper's default <c>jute.maxbuffer</c> is just under 1 MiB, so
    /// anything larger did not come from a normally configured ensemble and is not worth parsing.
    /// </summary>
    public const int MaxDataLength = 1024 * 1024;

    // Curator's own documents nest four deep (root, uriSpec, parts, part); the margin is for other writers'
    // payloads. The limit turns hostile nesting into a parse error instead of deep recursion.
    private const int MaxDepth = 64;

    // Long values are cut in error messages so that a hostile 1 MB name does not become a 1 MB log line.
    private const int MaxQuotedLength = 64;

    private const string OutOfServiceText = "OUT_OF_SERVICE";

    private static readonly SearchValues<char> DigitsAndDots = SearchValues.Create("0123456789.");

    private static readonly string[] ServiceTypes = ["DYNAMIC", "DYNAMIC_SEQUENTIAL", "STATIC", "PERMANENT"];

    /// <summary>
    /// Decodes one instance znode. Never throws on bad data: malformed JSON, wrong types, out-of-range numbers,
    /// invalid names and names that disagree with the path all give a failure whose <see cref="InstanceDecodeResult.Error"/>
    /// names the field and the rule. Unknown fields are ignored, for forward compatibility.
    /// </summary>
    /// <param name="json">The znode data (UTF-8 JSON).</param>
    /// <param name="serviceNameFromPath">The service segment of the znode path; it becomes <see cref="ServiceInstance.Service"/>.</param>
    /// <param name="instanceIdFromPath">The znode's own name; it becomes <see cref="ServiceInstance.Id"/>.</param>
    /// <param name="source">Where the data was read from, copied to <see cref="ServiceInstance.Source"/>.</param>
    public static InstanceDecodeResult Decode(ReadOnlySpan<byte> json, string serviceNameFromPath, string instanceIdFromPath, ZnodeSource? source)
    {
        if (json.IsEmpty)
        {
            return InstanceDecodeResult.Failure("empty znode data");
        }

        if (json.Length > MaxDataLength)
        {
            return InstanceDecodeResult.Failure($"znode data is {json.Length} bytes; at most {MaxDataLength} are accepted");
        }

        if (!ServiceName.TryParse(serviceNameFromPath, out var service, out var serviceError))
        {
            return InstanceDecodeResult.Failure($"service name {Quote(serviceNameFromPath)} is not a DNS label: {serviceError}");
        }

        if (DnsLabel.Check(instanceIdFromPath) is { } idError)
        {
            return InstanceDecodeResult.Failure($"instance id {Quote(instanceIdFromPath)} is not a DNS label: {idError}");
        }

        // Jackson writes no BOM, but a hand-edited znode (zkCli set from a file) may carry one.
        if (json.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        // Utf8JsonReader does not validate UTF-8 inside strings (GetString fails later), so check it once up front.
        if (!Utf8.IsValid(json))
        {
            return InstanceDecodeResult.Failure("znode data is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
            document = JsonDocument.ParseValue(ref reader);

            // ParseValue stops after the first value; reading on throws for trailing garbage, which is corruption.
            if (reader.Read())
            {
                document.Dispose();
                return InstanceDecodeResult.Failure("invalid JSON: data follows the JSON value");
            }
        }
        catch (JsonException e)
        {
            return InstanceDecodeResult.Failure($"invalid JSON: {e.Message}");
        }

        using (document)
        {
            try
            {
                return DecodeRoot(document.RootElement, service, instanceIdFromPath, source);
            }
            catch (InvalidOperationException e)
            {
                // Valid UTF-8 can still hold an escaped lone surrogate ("\uD800") that has no UTF-16 string.
                return InstanceDecodeResult.Failure($"invalid JSON string: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Encodes an instance as Curator-compatible <c>ServiceInstance</c> JSON, with a plain (untyped) <c>payload</c>
    /// object holding only the Registry fields that differ from the defaults. <see cref="Decode"/> reads it back to
    /// an equal instance, except that <see cref="ServiceInstance.RegisteredAt"/> keeps whole milliseconds only and
    /// <see cref="ServiceInstance.Source"/> is not written.
    /// </summary>
    /// <param name="instance">The instance to write.</param>
    /// <returns>UTF-8 JSON.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="instance"/> is null.</exception>
    /// <exception cref="ArgumentException"><see cref="ServiceInstance.UriSpec"/> is not a JSON object, or a string holds invalid UTF-16.</exception>
    public static byte[] Encode(ServiceInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            // Field order and explicit nulls follow what Curator's JsonInstanceSerializer writes.
            writer.WriteStartObject();
            writer.WriteString("name", instance.Service.Value);
            writer.WriteString("id", instance.Id);
            writer.WriteString("address", instance.Address);
            WriteNullableInt(writer, "port", instance.Port);
            WriteNullableInt(writer, "sslPort", instance.SslPort);
            writer.WritePropertyName("payload");
            WritePayload(writer, instance);
            if (instance.RegisteredAt is { } registeredAt)
            {
                // Omitted rather than null when unknown: Curator's field is a primitive long.
                writer.WriteNumber("registrationTimeUTC", registeredAt.ToUnixTimeMilliseconds());
            }

            writer.WriteString("serviceType", instance.ServiceType);
            writer.WritePropertyName("uriSpec");
            if (instance.UriSpec is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                WriteUriSpec(writer, instance.UriSpec);
            }

            // Curator consumers understand only "enabled", so out-of-service is said there as well as in the payload.
            writer.WriteBoolean("enabled", instance.Status != InstanceStatus.OutOfService);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    // Decode accepts only an object here, so anything else would write a registration Registry cannot read back.
    private static void WriteUriSpec(Utf8JsonWriter writer, string uriSpec)
    {
        if (!uriSpec.AsSpan().TrimStart().StartsWith('{'))
        {
            throw new ArgumentException($"UriSpec must be a JSON object: {Shorten(uriSpec)}", nameof(uriSpec));
        }

        try
        {
            writer.WriteRawValue(uriSpec);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"UriSpec is not valid JSON: {e.Message}", nameof(uriSpec), e);
        }
    }

    private static void WritePayload(Utf8JsonWriter writer, ServiceInstance instance)
    {
        writer.WriteStartObject();
        WriteNullableInt(writer, "priority", instance.Priority, writeNull: false);
        WriteNullableInt(writer, "weight", instance.Weight, writeNull: false);
        if (!string.Equals(instance.Protocol, "tcp", StringComparison.OrdinalIgnoreCase))
        {
            writer.WriteString("protocol", instance.Protocol);
        }

        if (instance.Hostname is not null)
        {
            writer.WriteString("hostname", instance.Hostname);
        }

        if (instance.Ports.Count > 0)
        {
            writer.WriteStartObject("ports");
            foreach (var (name, port) in instance.Ports)
            {
                writer.WriteNumber(name, port);
            }

            writer.WriteEndObject();
        }

        if (instance.Status != InstanceStatus.Up)
        {
            writer.WriteString("status", FormatStatus(instance.Status));
        }

        if (instance.Metadata.Count > 0)
        {
            writer.WriteStartObject("metadata");
            foreach (var (key, value) in instance.Metadata)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteNullableInt(Utf8JsonWriter writer, string name, int? value, bool writeNull = true)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else if (writeNull)
        {
            writer.WriteNull(name);
        }
    }

    private static string FormatStatus(InstanceStatus status) => status switch
    {
        InstanceStatus.Draining => "DRAINING",
        InstanceStatus.OutOfService => OutOfServiceText,
        _ => "UP",
    };

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

    private static string? ReadString(JsonElement value, string field, out string? result)
    {
        result = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                result = value.GetString();
                return null;
            default:
                return $"{field} must be a string, not {Describe(value.ValueKind)}";
        }
    }

    private static string? ReadInt(JsonElement value, string field, int min, int max, out int? result)
    {
        result = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return $"{field} must be an integer";
        }

        if (value.TryGetInt64(out var number))
        {
            if (number < min || number > max)
            {
                return $"{field} {number} is outside {min}..{max}";
            }

            result = (int)number;
            return null;
        }

        // An integer too big for a long is still out of range, not "not an integer"; a fraction or exponent is not.
        var raw = value.GetRawText();
        return raw.AsSpan().TrimStart('-').IndexOfAnyExceptInRange('0', '9') < 0
            ? $"{field} {Shorten(raw)} is outside {min}..{max}"
            : $"{field} must be an integer";
    }

    private static string? ReadTime(JsonElement value, out DateTimeOffset? result)
    {
        result = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var millis))
        {
            return "registrationTimeUTC must be an integer (epoch milliseconds)";
        }

        if (millis < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return $"registrationTimeUTC {millis} is outside the representable dates";
        }

        result = DateTimeOffset.FromUnixTimeMilliseconds(millis);
        return null;
    }

    private static string? ReadServiceType(JsonElement value, ref string serviceType)
    {
        var error = ReadString(value, "serviceType", out var text);
        if (error is not null || text is null)
        {
            return error;
        }

        foreach (var known in ServiceTypes)
        {
            if (string.Equals(text, known, StringComparison.OrdinalIgnoreCase))
            {
                serviceType = known;
                return null;
            }
        }

        // Curator's Jackson enum binding rejects an unknown type too, so no Curator client could read it either.
        return $"serviceType {Quote(text)} must be DYNAMIC, DYNAMIC_SEQUENTIAL, STATIC or PERMANENT";
    }

    private static string? ReadUriSpec(JsonElement value, out string? uriSpec)
    {
        uriSpec = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Object:
                // Kept as written: Registry does not use it, but re-registration must not lose it.
                uriSpec = value.GetRawText();
                return null;
            default:
                return $"uriSpec must be an object, not {Describe(value.ValueKind)}";
        }
    }

    private static string? ReadEnabled(JsonElement value, ref bool enabled)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.True:
            case JsonValueKind.False:
                enabled = value.GetBoolean();
                return null;
            default:
                return $"enabled must be true or false, not {Describe(value.ValueKind)}";
        }
    }

    private static string? ReadProtocol(JsonElement value, out string? protocol)
    {
        protocol = null;
        var error = ReadString(value, "payload.protocol", out var text);
        if (error is not null || text is null)
        {
            return error;
        }

        if (string.Equals(text, "tcp", StringComparison.OrdinalIgnoreCase))
        {
            protocol = "tcp";
        }
        else if (string.Equals(text, "udp", StringComparison.OrdinalIgnoreCase))
        {
            protocol = "udp";
        }
        else
        {
            return $"payload.protocol {Quote(text)} must be tcp or udp";
        }

        return null;
    }

    private static string? ReadHostname(JsonElement value, out string? hostname)
    {
        hostname = null;
        var error = ReadString(value, "payload.hostname", out var text);
        if (error is not null || text is null)
        {
            return error;
        }

        if (CheckHostName(text) is { } nameError)
        {
            return $"payload.hostname {Quote(text)} is not a valid DNS name: {nameError}";
        }

        // Only LDH characters passed the check, so invariant lower-casing is exact.
#pragma warning disable CA1308 // DNS presentation form is conventionally lower case; this is not a security comparison.
        hostname = text.ToLowerInvariant();
#pragma warning restore CA1308
        if (!hostname.EndsWith('.'))
        {
            hostname += ".";
        }

        return null;
    }

    private static string? ReadPorts(JsonElement value, out Dictionary<string, int>? ports)
    {
        ports = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return $"payload.ports must be an object, not {Describe(value.ValueKind)}";
        }

        // Case-insensitive because each name becomes a DNS label (_http._tcp...), where HTTP and http are one name.
        ports = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in value.EnumerateObject())
        {
            if (DnsLabel.Check(property.Name) is { } labelError)
            {
                return $"payload.ports name {Quote(property.Name)} is not a DNS label: {labelError}";
            }

            var field = $"payload.ports.{property.Name}";
            if (ReadInt(property.Value, field, 1, 65535, out var port) is { } portError)
            {
                return portError;
            }

            if (port is null)
            {
                return $"{field} must be an integer";
            }

            if (!ports.TryAdd(property.Name, port.Value))
            {
                return $"payload.ports names {Quote(property.Name)} more than once";
            }
        }

        return null;
    }

    private static string? ReadStatus(JsonElement value, out InstanceStatus? status)
    {
        status = null;
        var error = ReadString(value, "payload.status", out var text);
        if (error is not null || text is null)
        {
            return error;
        }

        if (string.Equals(text, "UP", StringComparison.OrdinalIgnoreCase))
        {
            status = InstanceStatus.Up;
        }
        else if (string.Equals(text, "DRAINING", StringComparison.OrdinalIgnoreCase))
        {
            status = InstanceStatus.Draining;
        }
        else if (string.Equals(text, OutOfServiceText, StringComparison.OrdinalIgnoreCase))
        {
            status = InstanceStatus.OutOfService;
        }
        else
        {
            return $"payload.status {Quote(text)} must be UP, DRAINING or OUT_OF_SERVICE";
        }

        return null;
    }

    private static string? ReadMetadata(JsonElement value, out Dictionary<string, string>? metadata)
    {
        metadata = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return $"payload.metadata must be an object, not {Describe(value.ValueKind)}";
        }

        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            // Non-string values (numbers, nested objects from other writers) are kept as their JSON text, not dropped.
            metadata[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : property.Value.GetRawText();
        }

        return null;
    }

    private static string? CheckAddress(string address)
    {
        // Anything with a colon can only be an IPv6 literal. Brackets and zone ids ("fe80::1%eth0") are rejected:
        // IPAddress accepts them, but they cannot go into an AAAA record.
        if (address.Contains(':', StringComparison.Ordinal))
        {
            return address.AsSpan().IndexOfAny('[', '%') < 0
                && IPAddress.TryParse(address, out var v6)
                && v6.AddressFamily == AddressFamily.InterNetworkV6
                    ? null
                    : $"address {Quote(address)} is not a valid IPv6 address";
        }

        // All digits and dots: an IPv4 literal, never a host name (an all-numeric top label is not a host name,
        // RFC 1123 §2.1), and not IPAddress's lenient forms ("10.1" = 10.0.0.1).
        if (address.AsSpan().IndexOfAnyExcept(DigitsAndDots) < 0)
        {
            return IsDottedQuad(address) ? null : $"address {Quote(address)} is not a valid IPv4 address";
        }

        return CheckHostName(address) is { } nameError
            ? $"address {Quote(address)} is not an IP address or a valid host name: {nameError}"
            : null;
    }

    private static bool IsDottedQuad(string address)
    {
        var parts = address.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            // Leading zeros are rejected because some parsers (inet_aton, and IPAddress) read them as octal.
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0')
                || int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return true;
    }

    // Null when name (absolute or not) is a valid DNS host name; otherwise why not.
    private static string? CheckHostName(string name)
    {
        var relative = name.EndsWith('.') ? name[..^1] : name;
        if (relative.Length == 0)
        {
            return name.Length == 0 ? "it is empty" : "it is the root name";
        }

        if (relative.Length > DnsLabel.MaxNameLength)
        {
            return $"it is {relative.Length} characters long; a DNS name holds at most {DnsLabel.MaxNameLength}";
        }

        foreach (var label in relative.Split('.'))
        {
            if (DnsLabel.Check(label) is { } labelError)
            {
                return $"label {Quote(label)}: {labelError}";
            }
        }

        return null;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };

    private static string Quote(string? text) => text is null ? "(null)" : $"'{Shorten(text)}'";

    private static string Shorten(string text) =>
        text.Length <= MaxQuotedLength ? text : $"{text[..MaxQuotedLength]}... ({text.Length} characters)";

    // The payload fields gathered while walking, before the instance is built.
    private sealed class PayloadFields
    {
        public int? Priority { get; set; }

        public int? Weight { get; set; }

        public string? Protocol { get; set; }

        public string? Hostname { get; set; }

        public Dictionary<string, int>? Ports { get; set; }

        public InstanceStatus? Status { get; set; }

        public Dictionary<string, string>? Metadata { get; set; }

        public string? SpringInstanceStatus { get; set; }
    }
}
