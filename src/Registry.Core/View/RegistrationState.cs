using Registry.Core.Instances;
using Registry.Core.Names;

namespace Registry.Core.View;

/// <summary>
/// What ZooKeeper holds under the base path, as the watcher last saw it: every service node that exists (an empty
/// list when it has no live instance) with its decoded registrations, and the highest zxid the state reflects.
/// Immutable: the watcher publishes a new one per change.
/// </summary>
/// <remarks>
/// From one state to the next, the watcher replaces only the lists of the services that changed; the others are the
/// same objects. <see cref="ViewSnapshot"/> relies on that (by reference, never by content) to merge again only the
/// services that changed, so a producer that rebuilds every list stays correct, only slower.
/// </remarks>
/// <param name="Services">Every service node with its decoded registrations (undecodable ones are left out and counted by the watcher).</param>
/// <param name="Zxid">
/// The zxid of the latest change the state reflects; equal states on any server have equal zxids. The watcher takes
/// the highest of the base node's and every service node's pzxid and every instance node's mzxid (decodable or not).
/// </param>
public sealed record RegistrationState(IReadOnlyDictionary<ServiceName, IReadOnlyList<ServiceInstance>> Services, long Zxid)
{
    /// <summary>Nothing registered, no zxid seen.</summary>
    public static RegistrationState Empty { get; } = new(new Dictionary<ServiceName, IReadOnlyList<ServiceInstance>>(), 0);
}
