using Registry.Core.Instances;
using Registry.Discovery;
using Registry.ZooKeeper;

namespace Registry.Client;

/// <summary>What <see cref="RegistryRegistrationExtensions.AddRegistryRegistration"/> registers, and where.</summary>
public sealed class RegistryRegistrationOptions
{
    /// <summary>ZooKeeper connect string (<c>zk1:2181,zk2:2181[/chroot]</c>).</summary>
    public string ConnectString { get; set; } = "127.0.0.1:2181";

    /// <summary>The registrations' session timeout: how long after a crash the instances disappear.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where registrations live (default <c>/services</c>).</summary>
    public ZooKeeperLayout Layout { get; set; } = ZooKeeperLayout.Default;

    /// <summary>
    /// The ACL of created nodes, the service's node included when this app creates it (open when null); e.g. the
    /// service's digest identity with every right and the registry servers' with READ (DESIGN §8).
    /// </summary>
    public IReadOnlyList<Acl>? Acl { get; set; }

    /// <summary>The credentials the registrations' session presents, e.g. <c>AuthInfo.Digest("svc-web", secret)</c>: what <see cref="Acl"/> grants.</summary>
    public IReadOnlyList<AuthInfo> Credentials { get; set; } = [];

    /// <summary>The instances this process runs.</summary>
    public IList<ServiceInstance> Instances { get; } = [];
}
