using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.Merge;
using Registry.Core.View;

namespace Registry.Server.Dns;

/// <summary>
/// Building the index of a snapshot from the index of an earlier one: O(what changed) record work, plus copies of
/// the name tables (pointer copies, no record or name is made again).
/// </summary>
internal sealed partial class DnsZoneIndex
{
    /// <summary>
    /// The index of <paramref name="view"/>, made from <paramref name="previous"/>: same nodes, records and answers as
    /// <see cref="Build"/> would give (the property test <c>DnsZoneIndexIncrementalTests</c> holds it to that), with
    /// <see cref="ChangedNames"/> saying which names differ from <paramref name="previous"/>.
    /// </summary>
    /// <remarks>
    /// Incremental when both snapshots serve the same <c>ZoneSet</c> instance, zones and default zone, with the same
    /// dynamic TTL: every node the zone files made is kept, and only the names of services whose
    /// <see cref="MergedService"/> instance changed (<c>ViewSnapshot</c> keeps the instance of every service whose
    /// inputs did not change) are made again, with the SOA of every zone whose serial changed and the empty
    /// non-terminals that appear or vanish. Anything else (a zone reload, many changed services, a name the
    /// incremental rules do not cover) is a full build.
    /// </remarks>
    public static DnsZoneIndex Update(DnsZoneIndex previous, ViewSnapshot view, DnsAnswerOptions options)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(options);
        if (ReferenceEquals(previous.View, view))
        {
            return previous;
        }

        var old = previous.View;
        var updatable = ReferenceEquals(old.Zones, view.Zones)
            && previous._dynamicTtl == options.DynamicTtl
            && string.Equals(old.DefaultZone, view.DefaultZone, StringComparison.Ordinal)
            && old.Origins.SequenceEqual(view.Origins, StringComparer.Ordinal);
        return (updatable ? new Updater(previous, view, options).Run() : null) ?? Build(view, options, previous);
    }

    /// <summary>One incremental build; <see cref="Run"/> gives null when only a full build will do.</summary>
    private sealed partial class Updater
    {
        private readonly DnsZoneIndex _previous;
        private readonly ViewSnapshot _view;
        private readonly DnsAnswerOptions _options;
        private readonly IncrementalState _state;
        private readonly Dictionary<DomainName, DnsZone> _zones;
        private readonly Dictionary<MergedService, Footprint> _footprints;
        private readonly Dictionary<DomainName, MergedService[]> _contributors;
        private readonly Dictionary<DomainName, int> _children;
        private readonly Dictionary<string, DomainName?> _newNames = new(StringComparer.Ordinal);
        private readonly HashSet<DomainName> _candidates = [];
        private Dictionary<DomainName, DnsNode> _nodes = [];

        public Updater(DnsZoneIndex previous, ViewSnapshot view, DnsAnswerOptions options)
        {
            _previous = previous;
            _view = view;
            _options = options;
            _state = previous.State;
            _zones = new Dictionary<DomainName, DnsZone>(previous._zones);
            _footprints = new Dictionary<MergedService, Footprint>(_state.Footprints, ReferenceEqualityComparer.Instance);
            _contributors = new Dictionary<DomainName, MergedService[]>(_state.Contributors);
            _children = new Dictionary<DomainName, int>(_state.Children);
        }

        public DnsZoneIndex? Run()
        {
            if (ChangedServices(_previous.View.Services, _view.Services) is not { } changed)
            {
                return null;
            }

            var touched = new HashSet<DomainName>();
            var rezoned = Reserial(touched);
            var context = new FootprintContext(_zones, Name);
            foreach (var (before, after) in changed)
            {
                if (before is not null && _footprints.Remove(before, out var gone))
                {
                    foreach (var name in gone.ByName.Keys)
                    {
                        RemoveContributor(name, before);
                        touched.Add(name);
                    }
                }

                if (after is { Mode: not ServiceMode.Static })
                {
                    var footprint = Footprint.Of(after, context);
                    _footprints[after] = footprint;
                    foreach (var name in footprint.ByName.Keys)
                    {
                        AddContributor(name, after);
                        touched.Add(name);
                    }
                }
            }

            // A wildcard owner changes what every missing name of its zone answers: the zones' HasWildcards flags and
            // the closest-encloser rule are the full build's business. Registered names are LDH, so this is rare.
            if (touched.Any(name => name.LabelCount > 0 && name.Labels[0] == "*"))
            {
                return null;
            }

            _nodes = CopyNodes();
            foreach (var name in touched)
            {
                if (!Remake(name))
                {
                    return null;
                }
            }

            _candidates.UnionWith(touched);
            var changedNames = new HashSet<DomainName>();
            foreach (var name in _candidates)
            {
                var before = _previous._nodes.GetValueOrDefault(name);
                var after = _nodes.GetValueOrDefault(name);
                if ((before is null) != (after is null) || (before is not null && !before.SameContent(after!)))
                {
                    changedNames.Add(name);
                }
            }

            foreach (var zone in rezoned.Values)
            {
                changedNames.Add(zone.Origin);
            }

            // The names cache is passed on as it was: names made here are few, and the next full build makes them again.
            var state = new IncrementalState(_state.ZoneFile, _footprints, _contributors, _children);
            return new DnsZoneIndex(_view, _zones, _nodes, _previous._names, changedNames, _previous.Generation, state)
            {
                _dynamicTtl = _options.DynamicTtl,
            };
        }

        /// <summary>
        /// The services whose instance differs between the sorted lists, as (before, after) pairs with null for a
        /// service only on one side; null when a full build is as cheap (most services changed, e.g. a snapshot built
        /// without its predecessor) or the lists are not in the order the merge walk needs.
        /// </summary>
        private static List<(MergedService? Before, MergedService? After)>? ChangedServices(IReadOnlyList<MergedService> before, IReadOnlyList<MergedService> after)
        {
            var changed = new List<(MergedService? Before, MergedService? After)>();
            var limit = Math.Max(16, after.Count / 2);
            int i = 0, j = 0;
            while (i < before.Count || j < after.Count)
            {
                if (i < before.Count && j < after.Count && ReferenceEquals(before[i], after[j]))
                {
                    i++;
                    j++;
                    continue;
                }

                var order = i == before.Count ? 1 : j == after.Count ? -1 : ViewSnapshot.CompareServices(before[i], after[j]);
                if (order == 0)
                {
                    changed.Add((before[i++], after[j++]));
                }
                else if (order < 0)
                {
                    changed.Add((before[i++], null));
                }
                else
                {
                    changed.Add((null, after[j++]));
                }

                if (changed.Count > limit)
                {
                    return null;
                }
            }

            // Two services with one key (duplicate declarations) would make the contributors' order ambiguous.
            for (var k = 1; k < after.Count; k++)
            {
                if (ViewSnapshot.CompareServices(after[k - 1], after[k]) >= 0)
                {
                    return null;
                }
            }

            return changed;
        }

        /// <summary>
        /// A new <see cref="DnsZone"/> (SOA with the new serial) for every zone whose serial changed, its apex added to
        /// <paramref name="touched"/>; the old instance → the new one.
        /// </summary>
        private Dictionary<DnsZone, DnsZone> Reserial(HashSet<DomainName> touched)
        {
            var rezoned = new Dictionary<DnsZone, DnsZone>(ReferenceEqualityComparer.Instance);
            foreach (var text in _view.Origins)
            {
                if (Name(text) is not { } origin || !_zones.TryGetValue(origin, out var zone))
                {
                    continue;
                }

                var serial = _view.Serial(text);
                if (zone.Soa.SerialNumber == serial)
                {
                    continue;
                }

                var soa = zone.Soa;
                var renewed = new DnsZone(
                    zone.Origin,
                    new SoaRecord(soa.Name, soa.TimeToLive, soa.MasterName, soa.ResponsibleName, serial, soa.RefreshInterval, soa.RetryInterval, soa.ExpireInterval, soa.NegativeCachingTTL),
                    zone.NameServers,
                    zone.HasZoneFile)
                {
                    HasDelegations = zone.HasDelegations,
                    HasWildcards = zone.HasWildcards,
                };
                _zones[zone.Origin] = renewed;
                rezoned[zone] = renewed;
                touched.Add(zone.Origin);
            }

            return rezoned;
        }

        /// <summary>
        /// The previous nodes, as they are: a node's <see cref="DnsNode.Zone"/> says which zone (by origin) it belongs to
        /// and may be an earlier index's instance of it, whose SOA is older; answers take the SOA from this index's
        /// zones (and the apex node, remade when the serial moved), never from a node. Re-wrapping every node of a zone
        /// whose serial moved, which is every change, cost most of an update (16 ms at 20,000 names).
        /// </summary>
        private Dictionary<DomainName, DnsNode> CopyNodes() => new(_previous._nodes);

        private void AddContributor(DomainName name, MergedService service)
        {
            if (!_contributors.TryGetValue(name, out var services))
            {
                _contributors[name] = [service];
                return;
            }

            // Kept in view.Services order, the order in which the full build adds each service's records.
            var at = 0;
            while (at < services.Length && ViewSnapshot.CompareServices(services[at], service) < 0)
            {
                at++;
            }

            _contributors[name] = [.. services.AsSpan(0, at), service, .. services.AsSpan(at)];
        }

        private void RemoveContributor(DomainName name, MergedService service)
        {
            if (_contributors.TryGetValue(name, out var services))
            {
                MergedService[] rest = [.. services.Where(s => !ReferenceEquals(s, service))];
                if (rest.Length == 0)
                {
                    _contributors.Remove(name);
                }
                else
                {
                    _contributors[name] = rest;
                }
            }
        }

        /// <summary>The name of <paramref name="text"/>: from the previous build's cache when it had it.</summary>
        private DomainName? Name(string text)
        {
            if (_previous._names.TryGetValue(text, out var known))
            {
                return known;
            }

            if (!_newNames.TryGetValue(text, out var name))
            {
                _newNames[text] = name = DnsNames.TryCreate(text);
            }

            return name;
        }

        private static bool IsUShort(int value) => value is >= 0 and <= ushort.MaxValue;

        private static DnsRecordBase AddressRecord(DomainName name, int ttl, System.Net.IPAddress address) =>
            address.AddressFamily == AddressFamily.InterNetwork ? new ARecord(name, ttl, address) : new AaaaRecord(name, ttl, address);
    }
}
