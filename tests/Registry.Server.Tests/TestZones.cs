namespace Registry.Server.Tests;

/// <summary>A temporary zones directory with <c>svc.example.</c>: <c>web</c> declares ap1 and ap2, <c>ldap</c> is static.</summary>
internal sealed class TestZones : IDisposable
{
    public const string Origin = "svc.example.";

    public TestZones(string? extraRecords = null, uint serial = 1)
    {
        System.IO.Directory.CreateDirectory(Root);
        Write(extraRecords, serial);
    }

    /// <summary>The parent of the zones directory; the server's data directory goes here too.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "registry-server-tests", Guid.NewGuid().ToString("N"));

    public string Directory => Path.Combine(Root, "zones");

    public string DataDirectory => Path.Combine(Root, "data");

    public string File => Path.Combine(Directory, "svc.example.zone");

    /// <summary>Rewrites the zone file atomically (as git does: a new file renamed over the old).</summary>
    public void Write(string? extraRecords = null, uint serial = 1) => WriteRaw(Text(extraRecords, serial));

    public void WriteRaw(string text)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var temp = Path.Combine(Root, $"zone.{Guid.NewGuid():N}.tmp");
        System.IO.File.WriteAllText(temp, text);
        System.IO.File.Move(temp, File, overwrite: true);
    }

    public static string Text(string? extraRecords, uint serial) => $"""
        $ORIGIN svc.example.
        $TTL 300
        @           IN SOA ns1 hostmaster ( {serial} 3600 600 1209600 60 )
                    IN NS  ns1
        ns1         IN A   127.0.0.1
        _web._tcp   IN SRV 10 12 4070 ap1.hosts
                    IN SRV 10 12 4070 ap2.hosts
        _ldap._tcp  IN SRV 10 50 389 ldap1.hosts
        ap1.hosts   IN A   127.0.0.1
        ap2.hosts   IN A   10.0.0.2
        ldap1.hosts IN A   10.0.2.1
        {extraRecords}

        """;

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
