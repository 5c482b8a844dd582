using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.Merge;

namespace Registry.Server.Dns;

/// <summary>Making one name again from its sources, and keeping the empty non-terminals above it right.</summary>
internal sealed partial class DnsZoneIndex
{
    private sealed partial class Updater
    {
        /// <summary>
        /// Makes <paramref name="name"/>'s node again, or removes it when nothing makes it exist any more; false when
        /// the change is one the incremental rules do not cover (a zone cut appearing or vanishing).
        /// </summary>
        private bool Remake(DomainName name)
        {
            var builder = MakeNode(name, out var self);
            _nodes.TryGetValue(name, out var present);
            if (builder is null || !(self || _children.GetValueOrDefault(name) > 0))
            {
                if (present is not null)
                {
                    _nodes.Remove(name);
                    Vanish(name, present.Zone);
                }

                return true;
            }

            var node = builder.Freeze();
            if (present is not null && present.Zone.Origin.Equals(node.Zone.Origin) && present.SameContent(node))
            {
                return true; // unchanged: the old node (and its records) stays, which also keeps it out of ChangedNames
            }

            if ((present?.IsDelegation ?? false) != node.IsDelegation)
            {
                return false;
            }

            _nodes[name] = node;
            if (present is null)
            {
                Appear(node);
            }

            return true;
        }

        /// <summary>
        /// <paramref name="name"/>'s node as the full build makes it, in the same order of operations: a made-up apex's
        /// SOA and NS, the zone file's records (the SRV set of a hybrid or dynamic service set aside), the merged SRV
        /// set, then, where the zone file is silent, the registered addresses and PTRs of every contributing service in
        /// <c>view.Services</c> order. Null when the name is in no served zone. <paramref name="self"/> is true when
        /// the name exists for itself rather than only as an empty non-terminal.
        /// </summary>
        private NodeBuilder? MakeNode(DomainName name, out bool self)
        {
            var entries = _state.ZoneFile.GetValueOrDefault(name);
            var zone = entries is not null ? _zones[entries[0].ZoneOrigin] : ZoneOf(_zones, name);
            var contributors = _contributors.GetValueOrDefault(name);
            self = false;
            if (zone is null)
            {
                return null;
            }

            var madeUpApex = !zone.HasZoneFile && zone.Origin.Equals(name);
            self = madeUpApex || entries is not null || contributors is not null;
            var builder = new NodeBuilder(name, zone, null);
            if (madeUpApex)
            {
                builder.Add(zone.Soa);
                builder.Add(zone.NameServers[0]);
            }

            foreach (var entry in entries ?? [])
            {
                var record = entry.Record;
                if (record is SoaRecord)
                {
                    builder.AddFromZoneFile(_zones[entry.ZoneOrigin].Soa);
                }
                else if (record is SrvRecord && _view.FindBySrvName(record.Name.ToString()) is { Mode: not ServiceMode.Static } merged
                    && string.Equals(merged.Zone, entry.IntentOrigin, StringComparison.OrdinalIgnoreCase))
                {
                    builder.AddReplaced(record);
                }
                else
                {
                    builder.AddFromZoneFile(record);
                }
            }

            if (contributors is not null)
            {
                AddContributions(builder, contributors);
            }

            return builder;
        }

        private void AddContributions(NodeBuilder builder, MergedService[] contributors)
        {
            var name = builder.Name;
            foreach (var service in contributors)
            {
                if (_footprints[service].ByName[name].SrvOwner)
                {
                    AddMergedSrv(builder, service);
                }
            }

            if (builder.FromZoneFile)
            {
                return; // the zone file's records at a name are the author's: no address or PTR is added to them
            }

            PendingAddresses? addresses = null;
            List<DomainName>? pointers = null;
            foreach (var service in contributors)
            {
                var contribution = _footprints[service].ByName[name];
                foreach (var address in contribution.Addresses ?? [])
                {
                    (addresses ??= new PendingAddresses(name, builder.Zone, string.Empty)).Add(address);
                }

                foreach (var target in contribution.Pointers ?? [])
                {
                    if (!(pointers ??= []).Contains(target))
                    {
                        pointers.Add(target);
                    }
                }
            }

            foreach (var address in addresses?.Addresses ?? [])
            {
                builder.Add(AddressRecord(name, _options.DynamicTtl, address));
            }

            foreach (var target in pointers ?? [])
            {
                builder.Add(new PtrRecord(name, _options.DynamicTtl, target));
            }
        }

        private void AddMergedSrv(NodeBuilder builder, MergedService service)
        {
            if (builder.Has(RecordType.CName))
            {
                return; // the zone file made the name an alias (RFC 1034 §3.6.2), as in the full build
            }

            foreach (var endpoint in service.Endpoints)
            {
                if (endpoint.InAnswer && Name(endpoint.Target) is { } target && IsUShort(endpoint.Priority) && IsUShort(endpoint.Weight) && IsUShort(endpoint.Port))
                {
                    builder.Add(new SrvRecord(builder.Name, _options.DynamicTtl, (ushort)endpoint.Priority, (ushort)endpoint.Weight, (ushort)endpoint.Port, target));
                }
            }

            builder.RestoreReplacedIfEmpty(RecordType.Srv);
        }

        /// <summary>A node appeared: each ancestor up to the apex gains a child, and exists (empty) if it did not.</summary>
        private void Appear(DnsNode node)
        {
            var zone = node.Zone;
            for (var name = node.Name; name.LabelCount > zone.Origin.LabelCount;)
            {
                var parent = name.GetParentName();
                _children[parent] = _children.GetValueOrDefault(parent) + 1;
                if (_nodes.ContainsKey(parent))
                {
                    return;
                }

                _nodes[parent] = new DnsNode(parent, zone, [], []);
                _candidates.Add(parent);
                name = parent;
            }
        }

        /// <summary>A node vanished: each ancestor loses a child, and an empty one without children vanishes too.</summary>
        private void Vanish(DomainName name, DnsZone zone)
        {
            while (name.LabelCount > zone.Origin.LabelCount)
            {
                var parent = name.GetParentName();
                var count = _children.GetValueOrDefault(parent) - 1;
                if (count > 0)
                {
                    _children[parent] = count;
                    return;
                }

                _children.Remove(parent);
                var self = (!zone.HasZoneFile && zone.Origin.Equals(parent)) || _state.ZoneFile.ContainsKey(parent) || _contributors.ContainsKey(parent);
                if (self || !_nodes.Remove(parent))
                {
                    return;
                }

                _candidates.Add(parent);
                name = parent;
            }
        }
    }
}
