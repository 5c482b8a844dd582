using Registry.Core.Names;

namespace Registry.Core.Zones;

/// <summary>A service a zone file declares: the SRV records of <c>_service._protocol.zone</c>.</summary>
/// <param name="Service">The service name (the first label without its underscore).</param>
/// <param name="Protocol">The protocol label without its underscore (<c>tcp</c>, <c>udp</c>).</param>
/// <param name="Zone">The zone's origin, absolute, lower case, with the trailing dot.</param>
/// <param name="Targets">The declared SRV records.</param>
public sealed record DeclaredService(ServiceName Service, string Protocol, string Zone, IReadOnlyList<DeclaredTarget> Targets);
