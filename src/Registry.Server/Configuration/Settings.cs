namespace Registry.Server.Configuration;

/// <summary>Every setting of the server (see <see cref="Setting"/>).</summary>
internal static class Settings
{
    /// <summary>The connect string value that starts a ZooKeeper child process.</summary>
    public const string Embedded = "embedded";

    public static readonly Setting ZooKeeper = new(
        "ZooKeeper",
        "--zookeeper",
        "ZooKeeper connect string (host:port,host:port[/chroot]), or 'embedded' to start a standalone ZooKeeper "
        + "from the installed package (data under DATA_DIR/zookeeper, stopped with the server)",
        Embedded,
        "-z");

    public static readonly Setting ZooKeeperAuthFile = new(
        "ZooKeeperAuthFile",
        "--zookeeper-auth-file",
        "File holding the credential every ZooKeeper session of the server presents, one line scheme:credential (e.g. digest:registry:s3cret; "
        + "a file, so that ps never shows the secret). Service nodes locked by an ACL need READ for it to be served, and CREATE for gRPC leases under them",
        null);

    public static readonly Setting EmbeddedPort = new(
        "EmbeddedPort",
        "--embedded-port",
        "Client port of the embedded ZooKeeper (loopback only)",
        "2181");

    public static readonly Setting Zones = new(
        "Zones",
        "--zones",
        "Directory of zone files (*.zone, one zone each); changes are reloaded automatically and on SIGHUP",
        "zones");

    public static readonly Setting DefaultZone = new(
        "DefaultZone",
        "--default-zone",
        "Zone that registered services are published in; defaults to the only forward zone when the zones directory has exactly one (reverse zones do not count)",
        null);

    public static readonly Setting BasePath = new(
        "BasePath",
        "--base-path",
        "ZooKeeper path under which services register ({base}/{service}/{instance})",
        "/services");

    public static readonly Setting Listen = new(
        "Listen",
        "--listen",
        "HTTP listen addresses, comma-separated (JSON view API)",
        "http://127.0.0.1:8053");

    public static readonly Setting GrpcListen = new(
        "GrpcListen",
        "--grpc-listen",
        "gRPC listen addresses, comma-separated http:// URLs served as HTTP/2 without TLS (h2c, prior knowledge); 'none' turns gRPC off",
        "http://127.0.0.1:8054");

    public static readonly Setting WatchHeartbeat = new(
        "WatchHeartbeat",
        "--watch-heartbeat",
        "A Watch stream with nothing to send for this long sends a heartbeat, so that idle streams notice a dead peer (e.g. 15s, 500ms)",
        "15s");

    public static readonly Setting WatchHistory = new(
        "WatchHistory",
        "--watch-history",
        "How many view publications are kept for Watch streams resuming from a revision; an older revision gets a fresh snapshot",
        "1000");

    public static readonly Setting WatchBuffer = new(
        "WatchBuffer",
        "--watch-buffer",
        "How many publications may wait for one Watch stream; a client reading slower than that gets a fresh snapshot instead",
        "64");

    public static readonly Setting LeaseTimeout = new(
        "LeaseTimeout",
        "--lease-timeout",
        "A gRPC Register lease whose stream sends nothing for this long is ended and its instance deregistered (e.g. 10s)",
        "10s");

    public static readonly Setting AuthTokens = new(
        "AuthTokens",
        "--auth-tokens",
        "File of the bearer tokens that may Register and Deregister over gRPC, one per line as 'sha256:<hex of the token's SHA-256>  web,pay-*' "
        + "(make a line with 'registryctl token hash'); re-read on change and on SIGHUP. Without it, anyone who reaches --grpc-listen may write",
        null);

    public static readonly Setting DnsListen = new(
        "DnsListen",
        "--dns-listen",
        "DNS listen endpoints (UDP and TCP), comma-separated address:port; 'none' turns the DNS facade off",
        "127.0.0.1:5300");

    public static readonly Setting DnsTtl = new(
        "DnsTtl",
        "--dns-ttl",
        "TTL in seconds of DNS records made from registrations (zone-file records keep their own)",
        "5");

    public static readonly Setting DnsTcpIdleTimeout = new(
        "DnsTcpIdleTimeout",
        "--dns-tcp-idle-timeout",
        "How long a DNS TCP connection may stay idle, and one answer may take to be written, before it is closed (e.g. 10s, 500ms)",
        "10s");

    public static readonly Setting DnsTcpMaxConnections = new(
        "DnsTcpMaxConnections",
        "--dns-tcp-max-connections",
        "DNS TCP connections served at once; more are closed as soon as they are accepted",
        "1024");

    public static readonly Setting DnsTransferAllow = new(
        "DnsTransferAllow",
        "--dns-transfer-allow",
        "Who may transfer zones (AXFR/IXFR), comma-separated: addresses, networks (CIDR) and key:NAME (any peer signing with that TSIG key); empty refuses every transfer",
        null);

    public static readonly Setting DnsTsigKey = new(
        "DnsTsigKey",
        "--dns-tsig-key",
        "TSIG keys, comma-separated name:algorithm:base64secret (hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512; the parts of a BIND key statement)",
        null);

    public static readonly Setting DnsNotify = new(
        "DnsNotify",
        "--dns-notify",
        "Secondaries to send NOTIFY to when a zone's serial changes, comma-separated address:port, each optionally @KEYNAME to sign with that TSIG key",
        null);

    public static readonly Setting DnsNotifyInterval = new(
        "DnsNotifyInterval",
        "--dns-notify-interval",
        "Least time between two NOTIFYs for one zone; the changes in between are announced together (e.g. 1s, 500ms)",
        "1s");

    public static readonly Setting DataDir = new(
        "DataDir",
        "--data-dir",
        "Directory for the persisted last good view (view.json), the published SOA serials (serials.json) and the embedded ZooKeeper's data",
        "data");

    public static readonly Setting SessionTimeout = new(
        "SessionTimeout",
        "--session-timeout",
        "ZooKeeper session timeout of the server's watcher (e.g. 10s, 1500ms)",
        "10s");

    public static readonly Setting Undeclared = new(
        "Undeclared",
        "--undeclared",
        "What to do with live instances a hybrid service's zone file does not declare: accept (serve them) or reject (drift only)",
        "accept");

    public static readonly Setting PanicThreshold = new(
        "PanicThreshold",
        "--panic-threshold",
        "Panic floor of hybrid services, as a share of declared targets (0..1): below it the declared set is served; 0 panics only when nothing is live",
        "0");

    public static readonly Setting LogFormat = new(
        "LogFormat",
        "--log-format",
        "Log line format: text (one line per event) or json (one JSON object per line)",
        "text");

    public static readonly Setting LogLevel = new(
        "LogLevel",
        "--log-level",
        "Minimum log level: Trace, Debug, Information, Warning, Error",
        "Information");

    /// <summary>Every setting, in <c>--help</c> order.</summary>
    public static IReadOnlyList<Setting> All { get; } =
    [
        ZooKeeper, ZooKeeperAuthFile, EmbeddedPort, Zones, DefaultZone, BasePath, Listen, GrpcListen, WatchHeartbeat, WatchHistory, WatchBuffer, LeaseTimeout, AuthTokens, DnsListen, DnsTtl, DnsTcpIdleTimeout, DnsTcpMaxConnections, DnsTransferAllow, DnsTsigKey, DnsNotify, DnsNotifyInterval, DataDir, SessionTimeout, Undeclared, PanicThreshold, LogFormat, LogLevel,
    ];
}
