namespace Registry.ZooKeeper;

/// <summary>A node's ACL and Stat.</summary>
public sealed record AclResult(IReadOnlyList<Acl> Acl, Stat Stat);
