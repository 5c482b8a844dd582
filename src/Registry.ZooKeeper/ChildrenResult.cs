namespace Registry.ZooKeeper;

/// <summary>A node's children (names, not paths, in no particular order) and the node's Stat.</summary>
public sealed record ChildrenResult(IReadOnlyList<string> Children, Stat Stat);
