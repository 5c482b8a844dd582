using System.CommandLine;
using System.Text;
using Registry.ZooKeeper;

namespace Registry.Cli;

/// <summary><c>registryctl zk ...</c>: look at and change what is in ZooKeeper, through Registry's own client.</summary>
internal static class ZkCommands
{
    public static Command Create()
    {
        var zk = new Command("zk", "Inspect ZooKeeper directly (the znodes services register under)")
        {
            ZkConnection.ConnectString,
            ZkConnection.AuthFile,
            ZkConnection.SessionTimeout,
            ZkConnection.Verbose,
        };

        var path = new Argument<string>("path") { Description = "Node path, e.g. /services/web" };
        var data = new Argument<string>("data") { Description = "UTF-8 data", DefaultValueFactory = _ => string.Empty };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Include every node below the path" };
        var ephemeral = new Option<bool>("--ephemeral", "-e") { Description = "Ephemeral: deleted when this command's session ends" };
        var version = new Option<int>("--version") { Description = "Expected version (-1: any)", DefaultValueFactory = _ => -1 };

        var ls = new Command("ls", "List a node's children") { path, recursive };
        ls.SetAction((p, ct) => RunAsync(p, (client, ct) => ListAsync(client, p.GetValue(path)!, p.GetValue(recursive), ct), ct));

        var get = new Command("get", "Print a node's data") { path };
        get.SetAction((p, ct) => RunAsync(p, async (client, ct) =>
        {
            var result = await client.GetDataAsync(p.GetValue(path)!, cancellationToken: ct).ConfigureAwait(false);
            Console.WriteLine(Encoding.UTF8.GetString(result.Data));
        }, ct));

        var stat = new Command("stat", "Print a node's metadata") { path };
        stat.SetAction((p, ct) => RunAsync(p, async (client, ct) =>
        {
            var result = await client.ExistsAsync(p.GetValue(path)!, cancellationToken: ct).ConfigureAwait(false)
                ?? throw new NoNodeException(p.GetValue(path));
            Console.WriteLine(Describe(result));
        }, ct));

        var create = new Command("create", "Create a node (its parent must exist)") { path, data, ephemeral };
        create.SetAction((p, ct) => RunAsync(p, async (client, ct) =>
        {
            var mode = p.GetValue(ephemeral) ? CreateMode.Ephemeral : CreateMode.Persistent;
            var result = await client.CreateAsync(p.GetValue(path)!, Encoding.UTF8.GetBytes(p.GetValue(data)!), mode, cancellationToken: ct).ConfigureAwait(false);
            Console.WriteLine(result.Path);
        }, ct));

        var delete = new Command("delete", "Delete a node") { path, version };
        delete.SetAction((p, ct) => RunAsync(p, (client, ct) => client.DeleteAsync(p.GetValue(path)!, p.GetValue(version), ct), ct));

        var watch = new Command("watch", "Print every change below a path until interrupted (a persistent recursive watch)") { path };
        watch.SetAction((p, ct) => RunAsync(p, (client, ct) => WatchAsync(client, p.GetValue(path)!, ct), ct));

        var demo = new Command("demo", "Register a few demo instances as ephemeral znodes, watch them come and go, and clean up");
        demo.SetAction((p, ct) => RunAsync(p, ZkDemo.RunAsync, ct));

        foreach (var command in new[] { ls, get, stat, create, delete, watch, demo })
        {
            zk.Subcommands.Add(command);
        }

        return zk;
    }

    public static string Describe(Stat stat) =>
        $"czxid=0x{stat.Czxid:x} mzxid=0x{stat.Mzxid:x} pzxid=0x{stat.Pzxid:x} version={stat.Version} cversion={stat.Cversion} " +
        $"aversion={stat.Aversion} ephemeralOwner=0x{stat.EphemeralOwner:x} dataLength={stat.DataLength} numChildren={stat.NumChildren} " +
        $"mtime={DateTimeOffset.FromUnixTimeMilliseconds(stat.Mtime):O}";

    /// <summary>Runs one command with a session, turning ZooKeeper errors into one line on stderr and exit code 1.</summary>
    private static async Task<int> RunAsync(ParseResult parse, Func<ZooKeeperClient, CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        try
        {
            var (client, loggers) = await ZkConnection.OpenAsync(parse, cancellationToken).ConfigureAwait(false);
            using (loggers)
            {
                await using (client.ConfigureAwait(false))
                {
                    await action(client, cancellationToken).ConfigureAwait(false);
                    await client.CloseAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }

            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception ex) when (ex is KeeperException or ArgumentException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"registryctl: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task ListAsync(ZooKeeperClient client, string path, bool recursive, CancellationToken cancellationToken)
    {
        var children = await client.GetChildrenAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var child in children.Children.Order(StringComparer.Ordinal))
        {
            var childPath = path == "/" ? "/" + child : path + "/" + child;
            Console.WriteLine(recursive ? childPath : child);
            if (recursive)
            {
                await ListAsync(client, childPath, true, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task WatchAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        // Session changes are printed from WatchStateAsync below; the watcher prints node changes only.
        var printer = Watcher.Create(e =>
        {
            if (e.Type != WatchEventType.None)
            {
                Console.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {e.Type,-20} {e.Path}");
            }
        });
        await client.AddWatchAsync(path, printer, AddWatchMode.PersistentRecursive, cancellationToken).ConfigureAwait(false);
        await Console.Error.WriteLineAsync($"watching {path} (session 0x{client.SessionId:x}); Ctrl+C to stop").ConfigureAwait(false);
        await foreach (var state in client.WatchStateAsync(cancellationToken).ConfigureAwait(false))
        {
            await Console.Error.WriteLineAsync($"{DateTime.Now:HH:mm:ss.fff} session {state}").ConfigureAwait(false);
        }
    }
}
