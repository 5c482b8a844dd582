namespace Registry.ZooKeeper.Tests.Harness;

/// <summary>
/// Ensemble tests run one at a time: each starts three JVMs, and two ensembles electing leaders at once on a
/// two-core machine make elections slow enough to blur what a test measures.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ZooKeeperEnsembleCollection
{
    public const string Name = "ZooKeeper ensemble";
}
