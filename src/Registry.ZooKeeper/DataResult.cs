namespace Registry.ZooKeeper;

/// <summary>A node's data and Stat.</summary>
public sealed record DataResult(byte[] Data, Stat Stat);
