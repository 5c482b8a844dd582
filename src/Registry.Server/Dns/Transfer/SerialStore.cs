using System.Text.Json;

namespace Registry.Server.Dns.Transfer;

/// <summary>
/// The SOA serials last published, per zone, in <c>serials.json</c> (<c>{"format":1,"serials":{"svc.example.":42}}</c>),
/// so that a restart starts above them (<see cref="Registry.Core.View.ViewSnapshot"/>'s restored serials): secondaries
/// ignore a primary whose serial went back. Written like the view: a temporary file, fsync, rename.
/// </summary>
internal static class SerialStore
{
    private const int Format = 1;

    /// <summary>Reads the file; null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not what <see cref="SaveAsync"/> writes.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    public static Dictionary<string, uint>? Load(string path)
    {
        byte[] bytes;
        try
        {
            // Read once, synchronously, before the first snapshot is built: the server cannot serve a serial before it.
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(bytes);
            if (json.RootElement.GetProperty("format").GetInt32() != Format)
            {
                throw new InvalidDataException($"{path}: unknown format");
            }

            var serials = new Dictionary<string, uint>(StringComparer.OrdinalIgnoreCase);
            foreach (var zone in json.RootElement.GetProperty("serials").EnumerateObject())
            {
                serials[zone.Name] = zone.Value.GetUInt32();
            }

            return serials;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="serials"/> atomically.</summary>
    /// <exception cref="IOException">The file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable.</exception>
    public static async Task SaveAsync(string path, IReadOnlyDictionary<string, uint> serials, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["serials"] = new SortedDictionary<string, uint>(serials.ToDictionary(), StringComparer.Ordinal),
        });
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true); // before the rename, or a power loss may leave the name on empty data
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
