using System.Text;
using Registry.ZooKeeper;

namespace Registry.Cli;

/// <summary>
/// A short tour of what Registry builds on: service instances as ephemeral znodes (Curator x-discovery layout,
/// DESIGN §3) that a watcher sees appear, change and vanish with the session that owns them.
/// </summary>
internal static class ZkDemo
{
    public static async Task RunAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        var service = $"/services/demo-{Environment.ProcessId}";
        Console.WriteLine($"connected: session 0x{client.SessionId:x}, timeout {client.SessionTimeout.TotalSeconds} s, server {client.ConnectedServer}");
        await EnsureAsync(client, "/services", CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(client, service, CreateMode.Container, cancellationToken).ConfigureAwait(false);

        var seen = new SemaphoreSlim(0);
        var watcher = Watcher.Create(e =>
        {
            // Session events (the end of this demo's session) are not changes of the service.
            if (e.Type != WatchEventType.None)
            {
                Console.WriteLine($"  watch: {e.Type,-16} {e.Path}");
                seen.Release();
            }
        });
        await client.AddWatchAsync(service, watcher, AddWatchMode.PersistentRecursive, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"watching {service} recursively");

        // A second session plays the service: its instances live exactly as long as it does.
        var instanceSession = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectString = ConnectStringOf(client), SessionTimeout = TimeSpan.FromSeconds(5) },
            cancellationToken).ConfigureAwait(false);
        await using (instanceSession.ConfigureAwait(false))
        {
            await PlayServiceAsync(client, instanceSession, service, seen, cancellationToken).ConfigureAwait(false);
        }

        Console.WriteLine($"done; {service} is a container node, so ZooKeeper removes it now that it is empty");
    }

    private static async Task PlayServiceAsync(ZooKeeperClient client, ZooKeeperClient instanceSession, string service, SemaphoreSlim seen, CancellationToken cancellationToken)
    {
        for (var i = 1; i <= 3; i++)
        {
            var json = $$"""{"name":"demo","id":"i{{i}}","address":"127.0.0.{{i}}","port":{{8080 + i}},"payload":{"priority":10,"weight":{{10 * i}}},"serviceType":"DYNAMIC"}""";
            var created = await instanceSession.CreateAsync($"{service}/i{i}", Encoding.UTF8.GetBytes(json), CreateMode.Ephemeral, cancellationToken: cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"registered {created.Path} owned by session 0x{created.Stat!.EphemeralOwner:x}");
        }

        await WaitForAsync(seen, 3, cancellationToken).ConfigureAwait(false);
        await instanceSession.SetDataAsync($"{service}/i2", Encoding.UTF8.GetBytes("""{"name":"demo","id":"i2","address":"127.0.0.2","port":8082,"payload":{"status":"DRAINING"}}"""), cancellationToken: cancellationToken).ConfigureAwait(false);
        Console.WriteLine("i2 set to DRAINING");
        await WaitForAsync(seen, 1, cancellationToken).ConfigureAwait(false);

        var children = await client.GetChildrenAsync(service, cancellationToken: cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"{service} has {children.Children.Count} instances: {string.Join(", ", children.Children.Order(StringComparer.Ordinal))}");

        Console.WriteLine("closing the service's session: its ephemeral instances disappear at once");
        await instanceSession.CloseAsync(cancellationToken).ConfigureAwait(false);
        await WaitForAsync(seen, 3, cancellationToken).ConfigureAwait(false);
    }

    private static string ConnectStringOf(ZooKeeperClient client) =>
        client.ConnectedServer is System.Net.IPEndPoint ip ? $"{ip.Address}:{ip.Port}{client.Chroot}" : throw new InvalidOperationException("not connected");

    private static async Task EnsureAsync(ZooKeeperClient client, string path, CreateMode mode, CancellationToken cancellationToken)
    {
        try
        {
            await client.CreateAsync(path, default, mode, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
        }
    }

    private static async Task WaitForAsync(SemaphoreSlim events, int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            if (!await events.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false))
            {
                throw new TimeoutException("an expected watch event did not arrive within 10 s");
            }
        }
    }
}
