using Registry.Core.Names;
using V1 = Registry.V1;

namespace Registry.Server.Grpc.Watch;

/// <summary>One change of a publication with the service name it concerns, so that filtered streams need not parse it back.</summary>
/// <param name="Service">The service's name (filters match on it or on the SRV owner name in <paramref name="Change"/>).</param>
/// <param name="Change">The change as streams send it.</param>
internal readonly record struct ServiceChange(ServiceName Service, V1.Change Change);
