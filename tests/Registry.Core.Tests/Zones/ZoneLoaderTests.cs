using System.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.Names;
using Registry.Core.Zones;

namespace Registry.Core.Tests.Zones;

public sealed class ZoneLoaderTests : IDisposable
{
    private const string Realistic = """
        ; svc.example: what is supposed to run
        $TTL 300
        @   IN  SOA ns1.svc.example. hostmaster.svc.example. (
                2024052101 ; serial
                3600       ; refresh
                600        ; retry
                1209600    ; expire
                60 )       ; negative caching
            IN  NS  ns1
        ns1 IN  A   192.0.2.53

        _web._tcp       SRV 10 60 8080 ap1.hosts
                        SRV 10 40 8080 ap2.hosts.svc.example.
                        SRV 20 10 8081 ap3.hosts
                        SRV 30 10 80   legacy.other.example.
        _http._tcp.web  600 IN SRV 0 0 8080 web
        web             IN TXT "owner=team-web; tier=(1)"
        www             CNAME web
        $ORIGIN hosts.svc.example.
        ap1     A       192.0.2.11
                AAAA    2001:db8::11
        ap2     A       192.0.2.12
                AAAA    2001:db8::12
        ap3     A       192.0.2.13 ; rack 3
        ap3     AAAA    2001:db8::13
        """;

    private const string Soa = "@ 3600 IN SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "registry-zones-" + Guid.NewGuid().ToString("N"));
    private readonly string _zones;

    public ZoneLoaderTests()
    {
        _zones = Path.Combine(_root, "zones");
        Directory.CreateDirectory(_zones);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void RealisticZoneDeclaresItsServiceWithAddressesAndSources()
    {
        Write("svc.example.zone", Realistic);

        var set = ZoneLoader.Load(_zones);

        var zone = Assert.Single(set.Zones);
        Assert.Equal("svc.example.", zone.Origin);
        Assert.Equal("svc.example.zone", zone.File);
        Assert.Equal(2024052101u, zone.Serial);
        var service = Assert.Single(zone.Services);
        Assert.Equal(ServiceName.Parse("web"), service.Service);
        Assert.Equal("tcp", service.Protocol);
        Assert.Equal("svc.example.", service.Zone);
        Assert.Collection(
            service.Targets,
            t => AssertTarget(t, "ap1.hosts.svc.example.", 8080, 10, 60, 12, "192.0.2.11", "2001:db8::11"),
            t => AssertTarget(t, "ap2.hosts.svc.example.", 8080, 10, 40, 13, "192.0.2.12", "2001:db8::12"),
            t => AssertTarget(t, "ap3.hosts.svc.example.", 8081, 20, 10, 14, "192.0.2.13", "2001:db8::13"),
            t => AssertTarget(t, "legacy.other.example.", 80, 30, 10, 15));
        Assert.Same(service, set.FindService(ServiceName.Parse("web"), "tcp", "svc.example."));

        // Every record is kept for the DNS facade, named-port SRV included, each with its file:line.
        var sources = zone.Records.Select(r => $"{r.Record.RecordType} {r.Record.Name} {r.Source}").ToArray();
        Assert.Equal(
            [
                "Soa svc.example. svc.example.zone:3",
                "Ns svc.example. svc.example.zone:9",
                "A ns1.svc.example. svc.example.zone:10",
                "Srv _web._tcp.svc.example. svc.example.zone:12",
                "Srv _web._tcp.svc.example. svc.example.zone:13",
                "Srv _web._tcp.svc.example. svc.example.zone:14",
                "Srv _web._tcp.svc.example. svc.example.zone:15",
                "Srv _http._tcp.web.svc.example. svc.example.zone:16",
                "Txt web.svc.example. svc.example.zone:17",
                "CName www.svc.example. svc.example.zone:18",
                "A ap1.hosts.svc.example. svc.example.zone:20",
                "Aaaa ap1.hosts.svc.example. svc.example.zone:21",
                "A ap2.hosts.svc.example. svc.example.zone:22",
                "Aaaa ap2.hosts.svc.example. svc.example.zone:23",
                "A ap3.hosts.svc.example. svc.example.zone:24",
                "Aaaa ap3.hosts.svc.example. svc.example.zone:25",
            ],
            sources);
        var namedPort = Assert.IsType<SrvRecord>(zone.Records[7].Record);
        Assert.Equal(600, namedPort.TimeToLive);
        var soa = Assert.IsType<SoaRecord>(zone.Records[0].Record);
        Assert.Equal(300, soa.TimeToLive);
        Assert.Equal(60, soa.NegativeCachingTTL);
        var txt = Assert.IsType<TxtRecord>(zone.Records[8].Record);
        Assert.Equal("owner=team-web; tier=(1)", txt.TextData);
    }

    [Fact]
    public void IncludedRecordsCarryTheSubFileAndItsLines()
    {
        Write("inc.example.zone", "$ORIGIN inc.example.\n$TTL 60\n" + Soa + "$INCLUDE hosts/web.inc\nafter A 192.0.2.1\n");
        Write("hosts/web.inc", "; web servers\n_web._tcp SRV 0 0 80 w1\nw1 A 192.0.2.10\n");

        var zone = Assert.Single(ZoneLoader.Load(_zones).Zones);

        var target = Assert.Single(Assert.Single(zone.Services).Targets);
        Assert.Equal(new RecordSource("hosts/web.inc", 2), target.Source);
        Assert.Equal("w1.inc.example.", target.Target);
        Assert.Equal([IPAddress.Parse("192.0.2.10")], target.Addresses);
        Assert.Equal(
            ["inc.example.zone:3", "inc.example.zone:4", "hosts/web.inc:2", "hosts/web.inc:3", "inc.example.zone:6"],
            zone.Records.Select(r => r.Source.ToString()));
        Assert.Equal("after.inc.example.", zone.Records[^1].Record.Name.ToString());
    }

    [Fact]
    public void IncludeWithOriginDoesNotChangeTheIncludersOrigin()
    {
        Write("inc.example.zone", "$TTL 60\n" + Soa + "$INCLUDE hosts.inc hosts\nx A 192.0.2.2\n");
        Write("hosts.inc", "h1 A 192.0.2.1\n");

        var zone = Assert.Single(ZoneLoader.Load(_zones).Zones);

        Assert.Equal(["h1.hosts.inc.example.", "x.inc.example."], zone.Records.Skip(2).Select(r => r.Record.Name.ToString()));
    }

    [Theory]
    [InlineData("../outside.inc")]
    [InlineData("sub/../../outside.inc")]
    [InlineData("ABSOLUTE")]
    public void IncludeOutsideTheZonesDirectoryIsRejected(string path)
    {
        File.WriteAllText(Path.Combine(_root, "outside.inc"), "evil A 192.0.2.66\n");
        path = path == "ABSOLUTE" ? Path.Combine(_root, "outside.inc") : path;
        Write("out.example.zone", "$TTL 60\n" + Soa + $"$INCLUDE {path}\n");

        var ex = Assert.Throws<ZoneLoadException>(() => ZoneLoader.Load(_zones));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(new RecordSource("out.example.zone", 4), error.Source);
        Assert.StartsWith("out.example.zone:4: $INCLUDE ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("outside the zones directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IncludeCycleIsRejected()
    {
        Write("loop.example.zone", "$TTL 60\n" + Soa + "$INCLUDE a.inc\n");
        Write("a.inc", "a A 192.0.2.1\n$INCLUDE b.inc\n");
        Write("b.inc", "b A 192.0.2.2\n$INCLUDE a.inc\n");

        var ex = Assert.Throws<ZoneLoadException>(() => ZoneLoader.Load(_zones));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("b.inc:2: $INCLUDE cycle: a.inc -> b.inc -> a.inc", error.ToString());
    }

    [Fact]
    public void TwoFilesWithTheSameOriginAreRejectedNamingBoth()
    {
        Write("dup.example.zone", "$TTL 60\n" + Soa);
        Write("other.zone", "$ORIGIN dup.example.\n$TTL 60\n" + Soa);

        var ex = Assert.Throws<ZoneLoadException>(() => ZoneLoader.Load(_zones));

        var error = Assert.Single(ex.Errors);
        Assert.Contains("dup.example.zone", error.Message, StringComparison.Ordinal);
        Assert.Contains("other.zone", error.Message, StringComparison.Ordinal);
        Assert.Equal("other.zone", error.Source.File);
    }

    [Theory]
    [InlineData("_web._tcp SRV 10 20 8080", 5, "SRV record has 3 fields, needs priority weight port target")]
    [InlineData("_web._tcp SRV 10 20 70000 w1", 5, "SRV port '70000' is not a number in 0..65535")]
    [InlineData("_web._tcp SRV 10 -1 80 w1", 5, "SRV weight '-1' is not a number in 0..65535")]
    [InlineData("w1 A 10.1", 5, "A record needs one IPv4 address in dotted-quad form, not '10.1'")]
    [InlineData("w1 AAAA 192.0.2.1", 5, "AAAA record needs one IPv6 address, not '192.0.2.1'")]
    [InlineData("w1 BOGUS 1", 5, "'BOGUS' is not a record type (or a TTL out of 0..2147483647)")]
    [InlineData("w1 CH A 192.0.2.1", 5, "class CH is not served; records are class IN")]
    [InlineData("w1.elsewhere.org. A 192.0.2.1", 5, "owner w1.elsewhere.org. is outside the zone bad.example.")]
    [InlineData("w1 TXT \"unterminated", 5, "quoted string is not closed before the end of the line")]
    [InlineData("w1 MX (\n 10\n", 5, "'(' is not closed before the end of the file")]
    [InlineData("$GENERATE 1-9 h$ A 192.0.2.$", 5, "unknown directive $GENERATE (supported: $ORIGIN, $TTL, $INCLUDE)")]
    [InlineData("$INCLUDE missing.inc", 5, "$INCLUDE missing.inc: the file does not exist")]
    public void ErrorsNameFileAndLine(string line, int lineNumber, string message)
    {
        Write("bad.example.zone", "; bad\n$TTL 60\n" + Soa + line + "\nok A 192.0.2.1\n");

        var ex = Assert.Throws<ZoneLoadException>(() => ZoneLoader.Load(_zones));

        Assert.Equal($"bad.example.zone:{lineNumber}: {message}", ex.Message);
        Assert.Equal(new RecordSource("bad.example.zone", lineNumber), ex.RecordSource);
    }

    [Fact]
    public void ArSoftParseFailuresNameFileAndLine()
    {
        Write("bad.example.zone", "$TTL 60\n" + Soa + "\n\n( mx\n  MX ) mail\n");

        var ex = Assert.Throws<ZoneLoadException>(() => ZoneLoader.Load(_zones));

        Assert.StartsWith("bad.example.zone:6: cannot parse the MX record 'mail': ", ex.Message, StringComparison.Ordinal);
        Assert.Single(ex.Errors);
    }

    [Fact]
    public void EveryErrorOfEveryFileIsReported()
    {
        Write("a.example.zone", "$TTL 60\nw1 A 192.0.2.1\n");
        Write("b.example.zone", "$TTL 60\n" + Soa + "w1 A 1\nw2 SRV 1 2 3\n");

        var ex = Assert.Throws<ZoneLoadException>(() => ZoneLoader.Load(_zones));

        Assert.Equal(
            [
                "a.example.zone:1: zone a.example. has no SOA record",
                "b.example.zone:4: A record needs one IPv4 address in dotted-quad form, not '1'",
                "b.example.zone:5: SRV record has 3 fields, needs priority weight port target",
            ],
            ex.Errors.Select(e => e.ToString()));
        Assert.Equal(string.Join('\n', ex.Errors), ex.Message);
    }

    [Fact]
    public void SecondSoaIsRejected()
    {
        Write("soa.example.zone", "$TTL 60\n" + Soa + "x SOA ns hostmaster 2 3600 600 86400 60\n");

        var ex = Assert.Throws<ZoneLoadException>(() => ZoneLoader.Load(_zones));

        Assert.Equal("soa.example.zone:4: zone soa.example. has a second SOA record; the first is at soa.example.zone:2", ex.Message);
    }

    [Fact]
    public void SoaAwayFromTheOriginIsRejected()
    {
        Write("soa.example.zone", "$TTL 60\nx SOA ns hostmaster 2 3600 600 86400 60\n");

        var ex = Assert.Throws<ZoneLoadException>(() => ZoneLoader.Load(_zones));

        Assert.Equal("soa.example.zone:2: the SOA record's owner x.soa.example. is not the zone's origin soa.example.", ex.Message);
    }

    [Fact]
    public void RecordWithoutAnyTtlIsRejected()
    {
        Write("ttl.example.zone", "@ SOA ns hostmaster 1 3600 600 86400 60\n");

        var ex = Assert.Throws<ZoneLoadException>(() => ZoneLoader.Load(_zones));

        Assert.Equal("ttl.example.zone:1: the record has no TTL and there is no $TTL or previous record to take it from", ex.Message);
    }

    [Fact]
    public void TtlUnitsAndExplicitZeroAreKept()
    {
        Write("ttl.example.zone", "$TTL 1h30m\n@ 0 SOA ns hostmaster 1 3600 600 86400 60\nns A 192.0.2.1\nzero 0 A 192.0.2.2\n");

        var zone = Assert.Single(ZoneLoader.Load(_zones).Zones);

        Assert.Equal([0, 5400, 0], zone.Records.Select(r => r.Record.TimeToLive));
    }

    [Fact]
    public void DirectoryWithTwoZonesLoadsBothAndFindsTheLongestSuffix()
    {
        Write("svc.example.zone", Realistic);
        Write("example.zone", "$TTL 60\n" + Soa + "_db._udp SRV 0 0 5432 db.svc.example.\n");
        Write("notes.txt", "not a zone");

        var set = ZoneLoader.Load(_zones);

        Assert.Equal(["example.", "svc.example."], set.Zones.Select(z => z.Origin));
        Assert.Equal("example.zone", set.GetZone("EXAMPLE")!.File);
        Assert.Equal("svc.example.", set.FindZone("ap1.hosts.svc.example.")!.Origin);
        Assert.Equal("svc.example.", set.FindZone("SVC.Example")!.Origin);
        Assert.Equal("example.", set.FindZone("xsvc.example.")!.Origin);
        Assert.Null(set.FindZone("svc.example.org."));
        var db = set.FindService(ServiceName.Parse("db"), "udp", "example.");
        Assert.NotNull(db);
        var target = Assert.Single(db.Targets);
        Assert.Empty(target.Addresses); // inside another zone, so not this zone's to declare
        Assert.Null(set.FindService(ServiceName.Parse("db"), "tcp", "example."));
        Assert.Null(set.FindService(ServiceName.Parse("web"), "tcp", "example."));
        Assert.Equal(2, set.Services.Count);
    }

    [Fact]
    public void NamesAreCaseInsensitive()
    {
        Write("Case.Example.zone", "$TTL 60\n" + Soa + "_WEB._TCP SRV 1 2 80 AP1\nAp1 A 192.0.2.1\n_web._tcp SRV 1 2 81 ap2\n");

        var set = ZoneLoader.Load(_zones);

        Assert.Equal("case.example.", Assert.Single(set.Zones).Origin);
        var service = set.FindService(ServiceName.Parse("web"), "tcp", "CASE.EXAMPLE.");
        Assert.NotNull(service);
        Assert.Same(service, set.FindService(ServiceName.Parse("WEB"), "TCP", "case.example"));
        Assert.Equal(["ap1.case.example.", "ap2.case.example."], service.Targets.Select(t => t.Target));
        Assert.Equal([IPAddress.Parse("192.0.2.1")], service.Targets[0].Addresses);
    }

    [Fact]
    public void SrvOwnersThatAreNotServicesStayInRecordsOnly()
    {
        Write("n.example.zone", "$TTL 60\n" + Soa + "_x_y._tcp SRV 0 0 1 a\n_web._sctp SRV 0 0 1 a\n_web.plain SRV 0 0 1 a\n_gone._tcp SRV 0 0 0 .\n");

        var zone = Assert.Single(ZoneLoader.Load(_zones).Zones);

        var gone = Assert.Single(zone.Services);
        Assert.Equal("gone", gone.Service.Value);
        Assert.Empty(gone.Targets); // RFC 2782 "." target: declared, decidedly not available
        Assert.Equal(6, zone.Records.Count);
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_zones, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    private static void AssertTarget(DeclaredTarget target, string name, int port, int priority, int weight, int line, params string[] addresses)
    {
        Assert.Equal(name, target.Target);
        Assert.Equal(port, target.Port);
        Assert.Equal(priority, target.Priority);
        Assert.Equal(weight, target.Weight);
        Assert.Equal(300, target.Ttl);
        Assert.Equal(addresses.Select(IPAddress.Parse), target.Addresses);
        Assert.Equal(new RecordSource("svc.example.zone", line), target.Source);
    }
}
