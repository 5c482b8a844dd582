namespace Registry.Server;

/// <summary>What the server's exit code means, for scripts and service managers.</summary>
internal static class ExitCodes
{
    /// <summary>Stopped on request.</summary>
    public const int Ok = 0;

    /// <summary>Could not start: zone files, ZooKeeper, ports (the log says which).</summary>
    public const int StartFailed = 1;

    /// <summary>A setting is invalid (every problem is printed).</summary>
    public const int BadSettings = 2;
}
