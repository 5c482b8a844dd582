using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Registry.Core.Names;

namespace Registry.Core.Instances;

/// <summary>Readers and checks of single fields; each returns null or the reason the field is invalid.</summary>
public static partial class ServiceInstanceCodec
{
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
