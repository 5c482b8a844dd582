using System.Net;
using Registry.Core.Instances;
using Registry.Core.Zones;

namespace Registry.Core.Merge;

/// <summary>
/// One endpoint of a merged service: an SRV target with its port, priority, weight and addresses, its state, whether
/// DNS answers carry it, and its provenance (the zone record it was declared by, the registration it was read from,
/// or both when a declared target is live).
/// </summary>
/// <param name="Target">The SRV target: absolute, lower case, with the trailing dot.</param>
/// <param name="Port">The SRV port.</param>
/// <param name="Priority">The SRV priority.</param>
/// <param name="Weight">The SRV weight.</param>
/// <param name="Addresses">The target's A/AAAA addresses known to the registry (registered or declared).</param>
/// <param name="State">What is known of the endpoint.</param>
/// <param name="InAnswer">Whether DNS answers and resolutions include it.</param>
/// <param name="Declared">The zone record declaring it, if any.</param>
/// <param name="Instance">The registration running it, if any.</param>
public sealed record Endpoint(
    string Target,
    int Port,
    int Priority,
    int Weight,
    IReadOnlyList<IPAddress> Addresses,
    EndpointState State,
    bool InAnswer,
    DeclaredTarget? Declared,
    ServiceInstance? Instance);
