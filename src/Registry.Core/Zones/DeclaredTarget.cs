using System.Net;

namespace Registry.Core.Zones;

/// <summary>
/// One SRV record of a zone file for a service: where the service is supposed to run. <paramref name="Addresses"/>
/// are the A/AAAA records the zone declares for the target (empty when the target is outside the zone or has none).
/// </summary>
/// <param name="Target">The SRV target, absolute, lower case, with the trailing dot (e.g. <c>ap1.hosts.svc.example.</c>).</param>
/// <param name="Port">The SRV port.</param>
/// <param name="Priority">The SRV priority.</param>
/// <param name="Weight">The SRV weight.</param>
/// <param name="Ttl">The record's TTL in seconds.</param>
/// <param name="Addresses">The target's declared addresses.</param>
/// <param name="Source">The file and line of the SRV record.</param>
public sealed record DeclaredTarget(string Target, int Port, int Priority, int Weight, int Ttl, IReadOnlyList<IPAddress> Addresses, RecordSource Source);
