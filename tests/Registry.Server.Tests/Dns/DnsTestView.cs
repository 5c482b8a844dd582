using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.Instances;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Core.View;
using Registry.Core.Zones;

namespace Registry.Server.Tests.Dns;

/// <summary>
/// Views for the answer engine's unit tests: zone files written to a temporary directory and loaded as the server
/// loads them, registrations built in memory, and queries as the transport hands them over. No sockets.
/// </summary>
internal sealed class DnsTestView : IDisposable
{
    public const string Origin = "svc.example.";

    /// <summary>
    /// <c>svc.example.</c>: web declares ap1 and ap2, ldap is static, and one name for each answer rule (aliases,
    /// a loop, an alias out of the zones, MX, a wildcard, a delegation with glue).
    /// </summary>
    public const string SvcZone = """
        $ORIGIN svc.example.
        $TTL 300
        @           IN SOA ns1 hostmaster ( 7 3600 600 1209600 60 )
                    IN NS  ns1
                    IN NS  ns.elsewhere.example.
        ns1         IN A    192.0.2.53
                    IN AAAA 2001:db8::53
        _web._tcp   IN SRV 10 12 4070 ap1.hosts
                    IN SRV 10 12 4070 ap2.hosts
        _ldap._tcp  IN SRV 10 50 389 ldap1.hosts
                    IN SRV 20 50 389 ldap.elsewhere.example.
        ap1.hosts   IN A    10.0.0.1
        ap2.hosts   IN A    10.0.0.2
        ldap1.hosts 600 IN A 10.0.2.1
                    IN AAAA 2001:db8::21
        info        IN TXT "hello" "world"
        alias       IN CNAME info
        alias2      IN CNAME alias
        outside     IN CNAME www.example.org.
        loop1       IN CNAME loop2
        loop2       IN CNAME loop1
        mail        IN MX 10 ldap1.hosts
        *.wild      IN A    10.9.9.9
                    IN TXT  "wild"
        sub         IN NS   ns.sub
        ns.sub      IN A    10.5.5.5
        """;

    /// <summary><c>other.example.</c>: a zone registrations never touch (web there is static whatever registers).</summary>
    public const string OtherZone = """
        $ORIGIN other.example.
        $TTL 120
        @     IN SOA ns hostmaster 2024010100 3600 600 86400 30
              IN NS  ns
        ns    IN A   192.0.2.54
        _web._tcp SRV 10 10 8080 ap9
        ap9   IN A   10.9.0.9
        """;

    public static readonly ServiceName Web = ServiceName.Parse("web");
    public static readonly ServiceName Api = ServiceName.Parse("api");

    private readonly string _root = Path.Combine(Path.GetTempPath(), "registry-dns-tests", Guid.NewGuid().ToString("N"));

    public DnsTestView() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Loads zone files (file name → text) as the server does.</summary>
    public ZoneSet Zones(params (string File, string Text)[] files)
    {
        var directory = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        foreach (var (file, text) in files)
        {
            File.WriteAllText(Path.Combine(directory, file), text);
        }

        return ZoneLoader.Load(directory);
    }

    /// <summary>The two test zones.</summary>
    public ZoneSet DefaultZones() => Zones(("svc.example.zone", SvcZone), ("other.example.zone", OtherZone));

    public static ViewSnapshot View(ZoneSet zones, RegistrationState? registrations = null, string defaultZone = Origin, ViewSnapshot? previous = null) =>
        new(zones, registrations ?? RegistrationState.Empty, defaultZone, MergePolicy.Default, stale: false, previous);

    public static RegistrationState Registered(long zxid, params (ServiceName Service, ServiceInstance[] Instances)[] services) =>
        new(services.ToDictionary(s => s.Service, s => (IReadOnlyList<ServiceInstance>)s.Instances), zxid);

    public static ServiceInstance Instance(ServiceName service, string id, string address, int port, InstanceStatus status = InstanceStatus.Up, string? hostname = null) =>
        new() { Service = service, Id = id, Address = address, Port = port, Status = status, Hostname = hostname };

    public static DnsMessage Query(string name, RecordType type, RecordClass recordClass = RecordClass.INet, ushort id = 4242)
    {
        var query = new DnsMessage { TransactionID = id, IsRecursionDesired = true };
        query.Questions.Add(new DnsQuestion(DomainName.Parse(name), type, recordClass));
        return query;
    }

    /// <summary>Records as master-file lines, for readable equality assertions.</summary>
    public static string[] Lines(IEnumerable<DnsRecordBase> records) => [.. records.Where(r => r is not OptRecord).Select(r => r.ToString())];
}
