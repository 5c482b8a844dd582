using System.Net;
using System.Net.Sockets;
using System.Text;
using Registry.Server.Embedded;
using Registry.Testing;

namespace Registry.ZooKeeper.Tests.Harness;

public sealed class TcpProxyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // Long enough that a forwarded echo would certainly have come back on loopback.
    private static readonly TimeSpan SilenceWindow = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Forwards_bytes_both_ways_and_counts_them()
    {
        await using var echo = new LoopbackEchoServer();
        await using var proxy = await TcpProxy.StartAsync(echo.EndPoint);
        Assert.Equal($"127.0.0.1:{proxy.EndPoint.Port}", proxy.ConnectString);

        using (var client = await ConnectAsync(proxy.EndPoint))
        {
            Assert.Equal("hello", await EchoAsync(client, "hello"));
            Assert.Equal("world!", await EchoAsync(client, "world!"));

            Assert.Equal(1, proxy.ActiveConnections);
            Assert.Equal(1, echo.AcceptedConnections);
            await Poll.UntilAsync(() => proxy.BytesToUpstream == 11 && proxy.BytesToClients == 11, Timeout, "both counters show 11 bytes");
        }

        await Poll.UntilAsync(() => proxy.ActiveConnections == 0 && echo.OpenConnections == 0, Timeout, "the closed client's connection is gone on both sides");
        Assert.Equal(1, proxy.AcceptedConnections);
    }

    [Fact]
    public async Task Forwards_ZooKeeper_four_letter_words()
    {
        await using var server = await ZooKeeperServer.StartAsync();
        await using var proxy = await TcpProxy.StartAsync(server.EndPoint);

        Assert.Equal("imok", await FourLetterWord.SendAsync(proxy.EndPoint, "ruok"));
        Assert.Equal("standalone", FourLetterWord.ParseMode(await FourLetterWord.SendAsync(proxy.EndPoint, "srvr")));
        await Poll.UntilAsync(() => proxy.ActiveConnections == 0, Timeout, "the server-closed exchanges are gone");
    }

    [Fact]
    public async Task CutAll_closes_client_and_upstream_sides_and_keeps_accepting()
    {
        await using var echo = new LoopbackEchoServer();
        await using var proxy = await TcpProxy.StartAsync(echo.EndPoint);
        using var first = await ConnectAsync(proxy.EndPoint);
        using var second = await ConnectAsync(proxy.EndPoint);
        Assert.Equal("a", await EchoAsync(first, "a"));
        Assert.Equal("b", await EchoAsync(second, "b"));

        proxy.CutAll();

        Assert.Equal(0, proxy.ActiveConnections);
        Assert.True(await IsClosedAsync(first));
        Assert.True(await IsClosedAsync(second));
        await Poll.UntilAsync(() => echo.OpenConnections == 0, Timeout, "the upstream sees its connections closed");

        using var third = await ConnectAsync(proxy.EndPoint);
        Assert.Equal("c", await EchoAsync(third, "c"));
    }

    [Fact]
    public async Task Blackhole_stops_forwarding_without_closing_anything()
    {
        await using var echo = new LoopbackEchoServer();
        await using var proxy = await TcpProxy.StartAsync(echo.EndPoint);
        using var client = await ConnectAsync(proxy.EndPoint);
        Assert.Equal("before", await EchoAsync(client, "before"));
        await Poll.UntilAsync(() => proxy.BytesToClients == 6, Timeout, "the first echo is counted");

        proxy.Blackhole();
        await client.SendAsync(Encoding.ASCII.GetBytes("during"), SocketFlags.None);

        Assert.True(proxy.IsBlackholed);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAsync(client, SilenceWindow));
        Assert.Equal(6, proxy.BytesToUpstream);
        Assert.Equal(1, proxy.ActiveConnections);
        Assert.Equal(1, echo.OpenConnections);
        Assert.False(client.Poll(0, SelectMode.SelectRead), "the client socket must be neither readable nor at end of stream");

        // A connection made during the partition is accepted but reaches nothing.
        using var late = await ConnectAsync(proxy.EndPoint);
        await late.SendAsync(Encoding.ASCII.GetBytes("late"), SocketFlags.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAsync(late, SilenceWindow));
        Assert.Equal(2, proxy.ActiveConnections);
        Assert.Equal(1, echo.AcceptedConnections);
    }

    [Fact]
    public async Task Restore_closes_partitioned_connections_and_new_connections_work()
    {
        await using var echo = new LoopbackEchoServer();
        await using var proxy = await TcpProxy.StartAsync(echo.EndPoint);
        using var before = await ConnectAsync(proxy.EndPoint);
        Assert.Equal("x", await EchoAsync(before, "x"));
        proxy.Blackhole();
        using var during = await ConnectAsync(proxy.EndPoint);
        await Poll.UntilAsync(() => proxy.ActiveConnections == 2, Timeout, "the proxy holds the connection made during the partition");

        proxy.Restore();

        Assert.False(proxy.IsBlackholed);
        Assert.Equal(0, proxy.ActiveConnections);
        Assert.True(await IsClosedAsync(before));
        Assert.True(await IsClosedAsync(during));
        await Poll.UntilAsync(() => echo.OpenConnections == 0, Timeout, "the upstream sees the partitioned connection closed");

        using var after = await ConnectAsync(proxy.EndPoint);
        Assert.Equal("again", await EchoAsync(after, "again"));
    }

    [Fact]
    public async Task SetUpstream_sends_only_new_connections_to_the_new_server()
    {
        await using var oldServer = new LoopbackEchoServer();
        await using var newServer = new LoopbackEchoServer();
        await using var proxy = await TcpProxy.StartAsync(oldServer.EndPoint);
        using var early = await ConnectAsync(proxy.EndPoint);
        Assert.Equal("1", await EchoAsync(early, "1"));

        proxy.SetUpstream(newServer.EndPoint);
        using var late = await ConnectAsync(proxy.EndPoint);

        Assert.Equal("2", await EchoAsync(late, "2"));
        Assert.Equal("3", await EchoAsync(early, "3"));
        Assert.Equal(newServer.EndPoint, proxy.Upstream);
        Assert.Equal(1, oldServer.AcceptedConnections);
        Assert.Equal(1, newServer.AcceptedConnections);
    }

    [Fact]
    public async Task DisposeAsync_closes_connections_and_stops_listening()
    {
        await using var echo = new LoopbackEchoServer();
        var proxy = await TcpProxy.StartAsync(echo.EndPoint);
        using var client = await ConnectAsync(proxy.EndPoint);
        Assert.Equal("bye", await EchoAsync(client, "bye"));
        proxy.Blackhole();

        await proxy.DisposeAsync();

        Assert.True(await IsClosedAsync(client));
        await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(proxy.EndPoint));
        await Poll.UntilAsync(() => echo.OpenConnections == 0, Timeout, "the upstream sees the connection closed");
        await proxy.DisposeAsync();
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = new CancellationTokenSource(Timeout);
            await socket.ConnectAsync(endPoint, timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<string> EchoAsync(Socket socket, string text)
    {
        var sent = Encoding.ASCII.GetBytes(text);
        await socket.SendAsync(sent, SocketFlags.None);
        var received = new byte[sent.Length];
        using var timeout = new CancellationTokenSource(Timeout);
        for (var total = 0; total < received.Length;)
        {
            var read = await socket.ReceiveAsync(received.AsMemory(total), SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, read);
            total += read;
        }

        return Encoding.ASCII.GetString(received);
    }

    private static async Task<int> ReadAsync(Socket socket, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        return await socket.ReceiveAsync(new byte[64], SocketFlags.None, cancel.Token);
    }

    /// <summary>True when a read ends the stream (0 bytes) or fails because the peer reset it.</summary>
    private static async Task<bool> IsClosedAsync(Socket socket)
    {
        try
        {
            return await ReadAsync(socket, Timeout) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
