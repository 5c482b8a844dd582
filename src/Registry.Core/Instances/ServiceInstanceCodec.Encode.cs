using System.Buffers;
using System.Text.Json;

namespace Registry.Core.Instances;

/// <summary>Encoding: Curator-compatible JSON with Registry's payload fields.</summary>
public static partial class ServiceInstanceCodec
{
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
}
