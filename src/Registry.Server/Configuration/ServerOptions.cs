using Microsoft.Extensions.Logging;
using Registry.Core.Merge;
using Registry.Server.Dns.Transfer;

namespace Registry.Server.Configuration;

/// <summary>The server's settings, parsed and validated (see <see cref="Settings"/> for what each one means).</summary>
internal sealed record ServerOptions
{
    /// <summary>A ZooKeeper connect string; null when the embedded ZooKeeper is used.</summary>
    public string? ZooKeeper { get; init; }

    /// <summary>Absolute path of the file the ZooKeeper credential came from; null when there is none.</summary>
    public string? ZooKeeperAuthFile { get; init; }

    /// <summary>The credentials every ZooKeeper session of the server presents (the watcher's, the leases').</summary>
    public IReadOnlyList<ZooKeeper.AuthInfo> ZooKeeperCredentials { get; init; } = [];

    public int EmbeddedPort { get; init; } = 2181;

    /// <summary>Absolute path of the zones directory.</summary>
    public required string Zones { get; init; }

    /// <summary>The default zone, absolute with its trailing dot; null to take the only zone.</summary>
    public string? DefaultZone { get; init; }

    public string BasePath { get; init; } = "/services";

    public IReadOnlyList<string> Listen { get; init; } = ["http://127.0.0.1:8053"];

    /// <summary>Where gRPC listens (HTTP/2 cleartext only); empty when it is off.</summary>
    public IReadOnlyList<Uri> GrpcListen { get; init; } = [new Uri("http://127.0.0.1:8054")];

    /// <summary>How Watch streams behave.</summary>
    public Grpc.Watch.WatchOptions Watch { get; init; } = new();

    /// <summary>How Register leases behave.</summary>
    public Grpc.Leases.LeaseOptions Lease { get; init; } = new();

    /// <summary>Absolute path of the write token file (<c>--auth-tokens</c>); null when gRPC writes are open to anyone.</summary>
    public string? AuthTokens { get; init; }

    /// <summary>Where the DNS facade listens (UDP and TCP on each); empty when it is off.</summary>
    public IReadOnlyList<System.Net.IPEndPoint> DnsListen { get; init; } = [];

    /// <summary>The TTL of records made from registrations.</summary>
    public int DnsTtl { get; init; } = 5;

    /// <summary>How long a DNS TCP connection may be idle (and an answer may take to be written) before it is closed.</summary>
    public TimeSpan DnsTcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>DNS TCP connections served at once.</summary>
    public int DnsTcpMaxConnections { get; init; } = 1024;

    /// <summary>Who may transfer zones; nobody by default.</summary>
    public TransferAccess TransferAllow { get; init; } = TransferAccess.None;

    /// <summary>The TSIG keys, for signed queries, transfers and NOTIFY.</summary>
    public IReadOnlyList<TsigKey> TsigKeys { get; init; } = [];

    /// <summary>The secondaries to NOTIFY.</summary>
    public IReadOnlyList<NotifyTarget> Notify { get; init; } = [];

    /// <summary>The least time between two NOTIFYs for one zone.</summary>
    public TimeSpan NotifyInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Absolute path of the data directory.</summary>
    public required string DataDir { get; init; }

    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public MergePolicy Policy { get; init; } = MergePolicy.Default;

    public bool JsonLogs { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>True when the server starts its own ZooKeeper.</summary>
    public bool UsesEmbeddedZooKeeper => ZooKeeper is null;

    /// <summary>The persisted last good view.</summary>
    public string ViewFile => Path.Combine(DataDir, "view.json");

    /// <summary>The SOA serials last published, per zone (so a restart never goes back).</summary>
    public string SerialFile => Path.Combine(DataDir, "serials.json");
}
