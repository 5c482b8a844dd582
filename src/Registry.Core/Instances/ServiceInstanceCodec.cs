using System.Buffers;
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
public static partial class ServiceInstanceCodec
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
}
