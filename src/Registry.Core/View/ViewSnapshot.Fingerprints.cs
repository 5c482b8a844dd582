using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Registry.Core.Instances;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Core.Zones;

namespace Registry.Core.View;

/// <summary>
/// What a zone answers, as a fingerprint that decides whether its serial moves; and the caches that let a snapshot
/// fingerprint only what changed: one per service (kept with its merged result) and one per zone file's records.
/// </summary>
/// <remarks>
/// A zone's fingerprint is the SHA-256 of its records' digest followed by the fingerprint of each of its services in
/// <see cref="Services"/> order; a service's is the SHA-256 of its SRV owner name and answer endpoints (priority,
/// weight, port, target, addresses), each length-prefixed. Fixed-size parts and length prefixes keep any two different
/// contents from hashing the same input. Fingerprints never leave the process, unlike <see cref="ViewRevision.ZoneDigest"/>.
/// </remarks>
public sealed partial class ViewSnapshot
{
    private const int HashSize = SHA256.HashSizeInBytes;

    private byte[] ZoneFingerprint(string origin)
    {
        var zone = _zoneCache.Zones.GetZone(origin);
        var records = zone is null ? ZoneCache.NoRecordsDigest : _zoneCache.RecordDigest(zone);

        // Services are ordered by zone first: the zone's are one run, found by binary search.
        var start = LowerBound(_entries, origin, inclusive: true);
        var end = LowerBound(_entries, origin, inclusive: false);
        var length = HashSize * (1 + end - start);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            records.CopyTo(buffer, 0);
            for (var i = start; i < end; i++)
            {
                _entries[i].Fingerprint.CopyTo(buffer, HashSize * (1 + i - start));
            }

            return SHA256.HashData(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The first entry whose zone is not before <paramref name="zone"/> (inclusive) or is after it (not inclusive).</summary>
    private static int LowerBound(ServiceEntry[] entries, string zone, bool inclusive)
    {
        int low = 0, high = entries.Length;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            var comparison = string.CompareOrdinal(entries[middle].Merged.Zone, zone);
            if (comparison < 0 || (!inclusive && comparison == 0))
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>
    /// One merged service with the inputs it was merged from and what the snapshot derives from it, shared by every
    /// snapshot built on the one that made it for as long as its inputs stay the same objects.
    /// </summary>
    private sealed class ServiceEntry
    {
        public ServiceEntry(MergedService merged, DeclaredService? declared, IReadOnlyList<ServiceInstance>? instances, MergePolicy policy)
        {
            Merged = merged;
            Declared = declared;
            Instances = instances;
            Policy = policy;
            SrvName = merged.SrvName;
            AnswerCount = merged.Endpoints.Count(e => e.InAnswer);
            Fingerprint = FingerprintOf(merged, SrvName);
        }

        public MergedService Merged { get; }

        public DeclaredService? Declared { get; }

        public IReadOnlyList<ServiceInstance>? Instances { get; }

        public MergePolicy Policy { get; }

        public string SrvName { get; }

        public int AnswerCount { get; }

        public byte[] Fingerprint { get; }

        /// <summary>True when merging these inputs would give <see cref="Merged"/> again (the merge is pure).</summary>
        public bool HasInputs(ServiceName service, DeclaredService? declared, IReadOnlyList<ServiceInstance>? instances, MergePolicy policy) =>
            ReferenceEquals(Declared, declared)
            && ReferenceEquals(Instances, instances)
            && Policy.Equals(policy)
            && string.Equals(Merged.Service.Value, service.Value, StringComparison.Ordinal);

        private static byte[] FingerprintOf(MergedService service, string srvName)
        {
            var input = new HashInput(1024);
            try
            {
                input.Append(srvName);
                foreach (var endpoint in service.Endpoints)
                {
                    if (endpoint.InAnswer)
                    {
                        input.Append(endpoint);
                        foreach (var address in endpoint.Addresses)
                        {
                            input.Append(address);
                        }
                    }
                }

                return SHA256.HashData(input.Written);
            }
            finally
            {
                input.Dispose();
            }
        }
    }

    /// <summary>
    /// What a snapshot derives from its zones alone: computed once per <see cref="ZoneSet"/> and default zone, and
    /// shared by every snapshot built on one with the same.
    /// </summary>
    private sealed class ZoneCache
    {
        private readonly Dictionary<ZoneIntent, byte[]> _recordDigests;

        private ZoneCache(ZoneSet zones, string defaultZone, ZoneCache? previous)
        {
            Zones = zones;
            DefaultZone = defaultZone;
            ZoneSerials = zones.Zones.Sum(z => (long)z.Serial);
            if (previous is not null && ReferenceEquals(previous.Zones, zones))
            {
                ZoneDigest = previous.ZoneDigest;
                _recordDigests = previous._recordDigests;
            }
            else
            {
                _recordDigests = new Dictionary<ZoneIntent, byte[]>(ReferenceEqualityComparer.Instance);
                ZoneDigest = Digest(zones, previous?._recordDigests, _recordDigests);
            }

            DeclaredSerials = new Dictionary<string, uint>(StringComparer.OrdinalIgnoreCase);
            foreach (var zone in zones.Zones)
            {
                DeclaredSerials[Absolute(zone.Origin)] = zone.Serial;
            }

            var declaredInDefault = new Dictionary<ServiceName, List<DeclaredService>>();
            var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var declared in zones.Services)
            {
                HasDuplicateServices |= !keys.Add(SrvKey(declared.Service, declared.Protocol, declared.Zone));
                if (string.Equals(Absolute(declared.Zone), defaultZone, StringComparison.Ordinal))
                {
                    if (!declaredInDefault.TryGetValue(declared.Service, out var list))
                    {
                        declaredInDefault[declared.Service] = list = [];
                    }

                    list.Add(declared);
                }
            }

            DeclaredInDefault = declaredInDefault.ToDictionary(p => p.Key, p => p.Value.ToArray());
        }

        /// <summary>The digest of a zone without records (a default zone no zone file declares).</summary>
        public static byte[] NoRecordsDigest { get; } = SHA256.HashData([]);

        public ZoneSet Zones { get; }

        public string DefaultZone { get; }

        /// <summary>The sum of the declared serials (<see cref="ViewRevision.ZoneSerials"/>).</summary>
        public long ZoneSerials { get; }

        /// <summary><see cref="ViewRevision.ZoneDigest"/>.</summary>
        public uint ZoneDigest { get; }

        /// <summary>Each zone's declared serial by origin (absolute, lower case).</summary>
        public Dictionary<string, uint> DeclaredSerials { get; }

        /// <summary>The services the default zone declares, by name (one per protocol).</summary>
        public Dictionary<ServiceName, DeclaredService[]> DeclaredInDefault { get; }

        /// <summary>
        /// True when two declarations have the same SRV owner name: then the order of <see cref="Services"/> among them
        /// is their declaration order, which only a full build reproduces.
        /// </summary>
        public bool HasDuplicateServices { get; }

        /// <summary>The cache for <paramref name="zones"/>: <paramref name="previous"/> when it is for the same zones and default zone.</summary>
        public static ZoneCache For(ZoneSet zones, string defaultZone, ZoneCache? previous) =>
            previous is not null && ReferenceEquals(previous.Zones, zones) && string.Equals(previous.DefaultZone, defaultZone, StringComparison.Ordinal)
                ? previous
                : new ZoneCache(zones, defaultZone, previous);

        public byte[] RecordDigest(ZoneIntent zone) => _recordDigests[zone];

        /// <summary>
        /// <see cref="ViewRevision.ZoneDigest"/> (origin, serial and records of every zone, in origin order; it leaves the
        /// process, so its definition must not change), and each zone's records digest on the way, reusing those of
        /// zones that are the same objects as before.
        /// </summary>
        private static uint Digest(ZoneSet zones, Dictionary<ZoneIntent, byte[]>? reuse, Dictionary<ZoneIntent, byte[]> recordDigests)
        {
            using var revision = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var zone in zones.Zones)
            {
                Append(revision, Absolute(zone.Origin));
                Append(revision, zone.Serial.ToString(CultureInfo.InvariantCulture));
                byte[]? known = null;
                reuse?.TryGetValue(zone, out known);
                using var records = known is null ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
                foreach (var record in zone.Records)
                {
                    var text = record.Record.ToString();
                    Append(revision, text);
                    if (records is not null)
                    {
                        Append(records, text);
                    }
                }

                recordDigests[zone] = known ?? records!.GetHashAndReset();
            }

            // No zones digest to 0, so that a view of registrations alone has revision (zxid, 0, 0) on every server.
            return zones.Zones.Count == 0 ? 0 : BinaryPrimitives.ReadUInt32BigEndian(revision.GetHashAndReset());
        }

        private static void Append(IncrementalHash hash, string text)
        {
            // Length-prefixed, so that no two sequences of strings hash the same input.
            var bytes = Encoding.UTF8.GetBytes(text);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }
    }

    /// <summary>A growable buffer from the shared pool of length-prefixed UTF-8 strings, hashed in one call.</summary>
    private struct HashInput : IDisposable
    {
        private byte[] _buffer;
        private int _length;

        public HashInput(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

        public readonly ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

        public void Append(string text)
        {
            var free = Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
            Commit(Encoding.UTF8.GetBytes(text, free));
        }

        public void Append(Endpoint endpoint)
        {
            // Three integers and three spaces fit in 48 bytes; the loop is only a guarantee.
            int written;
            for (var size = 48 + Encoding.UTF8.GetMaxByteCount(endpoint.Target.Length);
                !Utf8.TryWrite(Reserve(size), CultureInfo.InvariantCulture, $"{endpoint.Priority} {endpoint.Weight} {endpoint.Port} {endpoint.Target}", out written);
                size *= 2)
            {
            }

            Commit(written);
        }

        public void Append(IPAddress address)
        {
            // The longest form, an IPv6 address with an embedded IPv4 one and a scope id, is well under 128 bytes.
            int written;
            for (var size = 128; !address.TryFormat(Reserve(size), out written); size *= 2)
            {
            }

            Commit(written);
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        /// <summary>Room for a length prefix and <paramref name="size"/> bytes; returns the span after the prefix.</summary>
        private Span<byte> Reserve(int size)
        {
            if (_buffer.Length - _length < 4 + size)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + 4 + size));
                _buffer.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            return _buffer.AsSpan(_length + 4, size);
        }

        private void Commit(int written)
        {
            BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length, 4), written);
            _length += 4 + written;
        }
    }
}
