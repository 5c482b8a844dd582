namespace Registry.Core.Instances;

/// <summary>Where a registration was read from (DESIGN §5 provenance): its znode, owning session and zxids.</summary>
/// <param name="Path">The znode path.</param>
/// <param name="EphemeralOwner">The session owning the ephemeral znode; 0 for persistent registrations.</param>
/// <param name="Czxid">The zxid that created the znode.</param>
/// <param name="Mzxid">The zxid of its last data change.</param>
public sealed record ZnodeSource(string Path, long EphemeralOwner, long Czxid, long Mzxid);
