using System.Text;

namespace Registry.Testing.Internal;

/// <summary>Builds zoo.cfg text and the JVM's -D flags from the options, so the process and Docker paths share one definition.</summary>
internal static class ZooCfg
{
    /// <summary>Settings every server gets, before role-specific ones (dataDir, ports, peers) and the caller's overrides.</summary>
    public static List<KeyValuePair<string, string>> Common(ZooKeeperServerOptions options) =>
    [
        new("tickTime", options.TickTime.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("minSessionTimeout", "1000"),
        new("maxSessionTimeout", "60000"),
        // Tests throw the data away; fsync on every commit only makes them slow.
        new("forceSync", "no"),
        new("admin.enableServer", "false"),
        // The harness itself uses srvr, conf and ruok; tests may use any other.
        new("4lw.commands.whitelist", "*"),
    ];

    /// <summary>Renders <paramref name="settings"/> with <see cref="ZooKeeperServerOptions.ExtraConfig"/> applied on top (same key replaces).</summary>
    public static string Render(IEnumerable<KeyValuePair<string, string>> settings, ZooKeeperServerOptions options)
    {
        var merged = Merge(settings, options.ExtraConfig);
        var text = new StringBuilder("# written by Registry.Testing\n");
        foreach (var (key, value) in merged)
        {
            text.Append(key).Append('=').Append(value).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The -D flags: TTL nodes on and the admin server off (its Jetty would also grab port 8080), then the caller's.</summary>
    public static List<string> SystemPropertyFlags(ZooKeeperServerOptions options, IEnumerable<KeyValuePair<string, string>> harnessProperties)
    {
        List<KeyValuePair<string, string>> defaults =
        [
            new("zookeeper.extendedTypesEnabled", "true"),
            new("zookeeper.admin.enableServer", "false"),
            .. harnessProperties,
        ];
        return Merge(defaults, options.SystemProperties).Select(p => $"-D{p.Key}={p.Value}").ToList();
    }

    private static List<KeyValuePair<string, string>> Merge(
        IEnumerable<KeyValuePair<string, string>> first,
        IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var merged = first.ToList();
        foreach (var entry in overrides)
        {
            var index = merged.FindIndex(e => e.Key == entry.Key);
            if (index >= 0)
            {
                merged[index] = entry;
            }
            else
            {
                merged.Add(entry);
            }
        }

        return merged;
    }
}
