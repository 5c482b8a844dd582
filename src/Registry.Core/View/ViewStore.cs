using System.Buffers;
using System.Text;
using System.Text.Json;
using Registry.Core.Instances;
using Registry.Core.Names;

namespace Registry.Core.View;

/// <summary>
/// Keeps the last good view's registrations on disk (DESIGN §6), so that a server restarted during a ZooKeeper outage
/// serves at once; the zone files are the other input and are always on disk already.
/// </summary>
/// <remarks>
/// The format is versioned JSON:
/// <c>{"format":1,"zxid":N,"services":{"web":[{"id":"i1","source":{...}|null,"instance":{Curator JSON}}]}}</c>. Each
/// instance is the <see cref="ServiceInstanceCodec"/> encoding, so the file reads like what ZooKeeper holds; the
/// source (znode path, session, zxids) is kept beside it because the codec does not write it.
/// </remarks>
public static class ViewStore
{
    /// <summary>The format version written, and the only one read.</summary>
    public const int Format = 1;

    /// <summary>
    /// Writes <paramref name="state"/> to <paramref name="path"/> atomically: a temporary file in the same directory is
    /// written, flushed to disk and renamed over <paramref name="path"/>, so a crash leaves the old file or the new
    /// one, never half of one.
    /// </summary>
    /// <param name="path">The file to write; its directory must exist.</param>
    /// <param name="state">The registrations to keep.</param>
    /// <param name="cancellationToken">Cancels the write; the old file is then left as it was.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="state"/> is null.</exception>
    /// <exception cref="IOException">The file could not be written (<see cref="DirectoryNotFoundException"/> when its directory does not exist).</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or file is not writable.</exception>
    /// <exception cref="OperationCanceledException">The write was cancelled.</exception>
    public static async Task SaveAsync(string path, RegistrationState state, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(state);

        var bytes = Serialize(state);
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);

                // fsync before the rename: otherwise a power loss can leave the new name pointing at empty data.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Reads what <see cref="SaveAsync"/> wrote.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The registrations, or null when the file (or its directory) does not exist.</returns>
    /// <exception cref="InvalidDataException">The file is corrupt or of an unknown format; the message names the file.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    public static async Task<RegistrationState?> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return Deserialize(bytes);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or InvalidDataException or ArgumentException)
        {
            // Never an empty view instead: serving nothing during an outage is worse than refusing to start on it.
            throw new InvalidDataException($"{path}: not a registry view file of format {Format}: {e.Message}", e);
        }
    }

    private static byte[] Serialize(RegistrationState state)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", Format);
            writer.WriteNumber("zxid", state.Zxid);
            writer.WriteStartObject("services");

            // Sorted, so that equal states write equal files.
            foreach (var (service, instances) in state.Services.OrderBy(s => s.Key.Value, StringComparer.Ordinal))
            {
                writer.WriteStartArray(service.Value);
                foreach (var instance in instances.OrderBy(i => i.Id, StringComparer.Ordinal))
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", instance.Id);
                    if (instance.Source is { } source)
                    {
                        writer.WriteStartObject("source");
                        writer.WriteString("path", source.Path);
                        writer.WriteNumber("ephemeralOwner", source.EphemeralOwner);
                        writer.WriteNumber("czxid", source.Czxid);
                        writer.WriteNumber("mzxid", source.Mzxid);
                        writer.WriteEndObject();
                    }
                    else
                    {
                        writer.WriteNull("source");
                    }

                    writer.WritePropertyName("instance");
                    writer.WriteRawValue(ServiceInstanceCodec.Encode(instance), skipInputValidation: true);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static RegistrationState Deserialize(byte[] bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.Number)
        {
            throw new InvalidDataException("no \"format\" number");
        }

        if (!format.TryGetInt32(out var version) || version != Format)
        {
            throw new InvalidDataException($"unknown format {format.GetRawText()}");
        }

        var zxid = Required(root, "zxid", JsonValueKind.Number).GetInt64();
        var services = new Dictionary<ServiceName, IReadOnlyList<ServiceInstance>>();
        foreach (var service in Required(root, "services", JsonValueKind.Object).EnumerateObject())
        {
            var name = ServiceName.Parse(service.Name);
            if (service.Value.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"service {service.Name}: not an array");
            }

            var instances = new List<ServiceInstance>();
            foreach (var element in service.Value.EnumerateArray())
            {
                var id = Required(element, "id", JsonValueKind.String).GetString()!;
                ZnodeSource? source = null;
                if (element.TryGetProperty("source", out var s) && s.ValueKind != JsonValueKind.Null)
                {
                    source = new ZnodeSource(
                        Required(s, "path", JsonValueKind.String).GetString()!,
                        Required(s, "ephemeralOwner", JsonValueKind.Number).GetInt64(),
                        Required(s, "czxid", JsonValueKind.Number).GetInt64(),
                        Required(s, "mzxid", JsonValueKind.Number).GetInt64());
                }

                var data = Encoding.UTF8.GetBytes(Required(element, "instance", JsonValueKind.Object).GetRawText());
                var result = ServiceInstanceCodec.Decode(data, service.Name, id, source);
                if (!result.IsSuccess)
                {
                    throw new InvalidDataException($"service {service.Name}, instance {id}: {result.Error}");
                }

                instances.Add(result.Instance);
            }

            if (!services.TryAdd(name, instances))
            {
                throw new InvalidDataException($"service {service.Name} appears twice");
            }
        }

        return new RegistrationState(services, zxid);
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure is the one worth reporting; a leftover temp file is only litter.
        }
    }

    private static JsonElement Required(JsonElement parent, string name, JsonValueKind kind)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind != kind)
        {
            throw new InvalidDataException($"\"{name}\" is missing or not a {kind.ToString().ToLowerInvariant()}");
        }

        return value;
    }
}
