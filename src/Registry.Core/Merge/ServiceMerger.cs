using System.Net;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Core.Zones;

namespace Registry.Core.Merge;

/// <summary>
/// The merge of intent (a zone file's SRV records) and reality (live registrations) for one service, DESIGN §5.
/// Pure: the same inputs give the same output, so every rule is unit-tested without a server.
/// </summary>
public static class ServiceMerger
{
    /// <summary>Merges one service.</summary>
    /// <param name="service">The service name.</param>
    /// <param name="protocol">The SRV protocol label (<c>tcp</c>, <c>udp</c>).</param>
    /// <param name="zone">The zone the service is published in (absolute, trailing dot).</param>
    /// <param name="declared">The zone file's declaration, or null when the service is not declared.</param>
    /// <param name="registrations">
    /// The registrations under the service's znode, or null when that znode does not exist (the service never
    /// migrated). An empty list means it registers but nothing is running now.
    /// </param>
    /// <param name="policy">The undeclared-instance policy and panic floor.</param>
    /// <exception cref="ArgumentException">Neither a declaration nor registrations were given.</exception>
    public static MergedService Merge(
        ServiceName service,
        string protocol,
        string zone,
        DeclaredService? declared,
        IReadOnlyList<ServiceInstance>? registrations,
        MergePolicy? policy = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        ArgumentException.ThrowIfNullOrEmpty(zone);
        policy ??= MergePolicy.Default;
        zone = Absolute(zone);
        var instances = registrations?
            .Where(r => string.Equals(r.Protocol, protocol, StringComparison.OrdinalIgnoreCase))
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .ToList();

        return (declared, instances) switch
        {
            (not null, null) => Static(service, protocol, zone, declared),
            (not null, not null) => Hybrid(service, protocol, zone, declared, instances, policy),
            (null, not null) => Dynamic(service, protocol, zone, instances),
            _ => throw new ArgumentException($"service {service} is neither declared nor registered", nameof(declared)),
        };
    }

    /// <summary>
    /// The SRV target of a registration (DESIGN §4): its <c>hostname</c> when set; else its address when that is a
    /// host name; else the generated <c>&lt;id&gt;.&lt;service&gt;.&lt;zone&gt;</c>.
    /// </summary>
    public static string TargetOf(ServiceInstance instance, string zone)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (instance.Hostname is { Length: > 0 } hostname)
        {
            return Absolute(hostname);
        }

        if (instance.Address is { Length: > 0 } address && !IPAddress.TryParse(address, out _))
        {
            return Absolute(address);
        }

        return $"{instance.Id}.{instance.Service.Value}.{Absolute(zone)}".ToLowerInvariant();
    }

    private static MergedService Static(ServiceName service, string protocol, string zone, DeclaredService declared)
    {
        var endpoints = declared.Targets.Select(d => FromDeclared(d, EndpointState.Declared, inAnswer: true)).ToList();
        return Build(service, protocol, zone, ServiceMode.Static, degraded: false, endpoints, Drift.None);
    }

    private static MergedService Dynamic(ServiceName service, string protocol, string zone, List<ServiceInstance> instances)
    {
        var endpoints = instances.Select(i => FromInstance(i, zone, i.IsDrained ? EndpointState.Drained : EndpointState.Live, declared: null)).ToList();
        return Build(service, protocol, zone, ServiceMode.Dynamic, degraded: false, endpoints, Drift.None);
    }

    private static MergedService Hybrid(ServiceName service, string protocol, string zone, DeclaredService declared, List<ServiceInstance> instances, MergePolicy policy)
    {
        // One primary endpoint per declared target, in declaration order; redundant runners and undeclared
        // instances are kept apart so that the panic floor can switch the primaries alone.
        var primaries = new List<Endpoint>();
        var copies = new List<Endpoint>();
        var matched = new HashSet<ServiceInstance>(ReferenceEqualityComparer.Instance);
        var missing = new List<DeclaredTarget>();
        foreach (var target in declared.Targets)
        {
            // A declared target may be run by several registrations (e.g. a restarted process before its old
            // session expires): the first up one carries it; the others stay visible and are never answered twice.
            var runners = instances.Where(i => !matched.Contains(i) && Matches(target, i, zone)).ToList();
            var runner = runners.FirstOrDefault(i => !i.IsDrained) ?? runners.FirstOrDefault();
            if (runner is null)
            {
                missing.Add(target);
                primaries.Add(FromDeclared(target, EndpointState.Missing, inAnswer: false));
                continue;
            }

            matched.UnionWith(runners);
            copies.AddRange(runners.Where(r => !ReferenceEquals(r, runner)).Select(copy =>
                FromInstance(copy, zone, copy.IsDrained ? EndpointState.Drained : EndpointState.Live, target) with { InAnswer = false }));
            var state = runner.IsDrained ? EndpointState.Drained : EndpointState.Live;
            primaries.Add(new Endpoint(
                target.Target,
                target.Port,
                runner.Priority ?? target.Priority,
                runner.Weight ?? target.Weight,
                MergeAddresses(target.Addresses, runner),
                state,
                InAnswer: state == EndpointState.Live,
                target,
                runner));
        }

        var undeclared = instances.Where(i => !matched.Contains(i)).ToList();
        var extras = undeclared.Select(instance =>
        {
            var endpoint = FromInstance(instance, zone, instance.IsDrained ? EndpointState.Drained : EndpointState.Undeclared, declared: null);
            return endpoint with { InAnswer = endpoint.InAnswer && policy.Undeclared == UndeclaredPolicy.Accept };
        }).ToList();

        var drift = new Drift(missing, undeclared);
        var served = primaries.Count(e => e.InAnswer) + extras.Count(e => e.InAnswer);
        var floor = Math.Max(1, (int)Math.Ceiling(policy.PanicThreshold * declared.Targets.Count));
        if (declared.Targets.Count > 0 && served < floor)
        {
            // Panic: better the declared set, as the zone file says it (some of it may still work), than an answer
            // that is empty or too thin to carry the load. Undeclared instances are left out: the floor means
            // "trust the file".
            var panic = primaries.Select(e => e with { InAnswer = true, Priority = e.Declared!.Priority, Weight = e.Declared.Weight });
            var silenced = copies.Concat(extras).Select(e => e with { InAnswer = false });
            return Build(service, protocol, zone, ServiceMode.Hybrid, degraded: true, [.. panic, .. silenced], drift);
        }

        return Build(service, protocol, zone, ServiceMode.Hybrid, degraded: false, [.. primaries, .. copies, .. extras], drift);
    }

    /// <summary>A registration runs a declared target when target name or address agree, and the port does.</summary>
    private static bool Matches(DeclaredTarget target, ServiceInstance instance, string zone)
    {
        if ((instance.Port ?? instance.SslPort) != target.Port)
        {
            return false;
        }

        if (string.Equals(TargetOf(instance, zone), target.Target, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return instance.Address is { } address
            && (IPAddress.TryParse(address, out var ip) ? target.Addresses.Contains(ip) : string.Equals(Absolute(address), target.Target, StringComparison.OrdinalIgnoreCase));
    }

    private static Endpoint FromDeclared(DeclaredTarget target, EndpointState state, bool inAnswer) =>
        new(target.Target, target.Port, target.Priority, target.Weight, target.Addresses, state, inAnswer, target, null);

    private static Endpoint FromInstance(ServiceInstance instance, string zone, EndpointState state, DeclaredTarget? declared)
    {
        var port = instance.Port ?? instance.SslPort;

        // An SRV record needs a port: a registration without one is visible but never answered.
        var answerable = port is not null && state is EndpointState.Live or EndpointState.Undeclared;
        return new Endpoint(
            TargetOf(instance, zone),
            port ?? 0,
            instance.Priority ?? ServiceInstance.DefaultPriority,
            instance.Weight ?? ServiceInstance.DefaultWeight,
            AddressesOf(instance),
            state,
            answerable,
            declared,
            instance);
    }

    private static IReadOnlyList<IPAddress> AddressesOf(ServiceInstance instance) =>
        instance.Address is { } address && IPAddress.TryParse(address, out var ip) ? [ip] : [];

    /// <summary>The registration's address wins (it is what is running); the declared ones remain when it has none.</summary>
    private static IReadOnlyList<IPAddress> MergeAddresses(IReadOnlyList<IPAddress> declared, ServiceInstance instance) =>
        AddressesOf(instance) is { Count: > 0 } registered ? registered : declared;

    private static MergedService Build(ServiceName service, string protocol, string zone, ServiceMode mode, bool degraded, List<Endpoint> endpoints, Drift drift)
    {
        var ordered = endpoints
            .OrderBy(e => e.Priority)
            .ThenBy(e => e.Target, StringComparer.Ordinal)
            .ThenBy(e => e.Port)
            .ToList();
        return new MergedService(service, protocol.ToLowerInvariant(), zone, mode, degraded, ordered, drift);
    }

    private static string Absolute(string name) => (name.EndsWith('.') ? name : name + ".").ToLowerInvariant();
}
