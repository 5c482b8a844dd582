namespace Registry.Core.Zones;

/// <summary>
/// One zone as its file declares it: the intent half of DESIGN §5. Built by <see cref="ZoneLoader"/>; immutable.
/// </summary>
/// <param name="Origin">The zone's apex, absolute, lower case, with the trailing dot (e.g. <c>svc.example.</c>).</param>
/// <param name="File">The zone file, relative to the zones directory, with <c>/</c> separators.</param>
/// <param name="Serial">The serial of the zone's SOA record.</param>
/// <param name="Records">Every record of the zone (its <c>$INCLUDE</c>d files too) in file order, each with its file and line.</param>
/// <param name="Services">
/// The services the zone declares: one per SRV owner <c>_service._proto.origin</c> (proto <c>tcp</c> or <c>udp</c>), in
/// order of first appearance. Named-port SRV owners (<c>_http._tcp.web.origin</c>) are not services; they are only in
/// <paramref name="Records"/>.
/// </param>
public sealed record ZoneIntent(string Origin, string File, uint Serial, IReadOnlyList<ZoneRecord> Records, IReadOnlyList<DeclaredService> Services);
