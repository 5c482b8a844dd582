using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Registry.ZooKeeper.Tests.Harness;

/// <summary>
/// Opens a ZooKeeper session with a hand-written ConnectRequest, so the harness self-tests can prove that sessions
/// survive a restart without depending on the client library under development.
/// </summary>
internal static class RawSession
{
    /// <summary>Creates a session and drops the connection (which leaves the session alive until it times out); returns its id.</summary>
    public static async Task<long> CreateAsync(IPEndPoint server, int sessionTimeoutMs, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, timeout.Token);

        // ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd (length-prefixed), readOnly.
        var request = new byte[4 + 4 + 8 + 4 + 8 + 4 + 16 + 1];
        var body = request.AsSpan(4);
        BinaryPrimitives.WriteInt32BigEndian(request, request.Length - 4);
        BinaryPrimitives.WriteInt32BigEndian(body[0..], 0);
        BinaryPrimitives.WriteInt64BigEndian(body[4..], 0);
        BinaryPrimitives.WriteInt32BigEndian(body[12..], sessionTimeoutMs);
        BinaryPrimitives.WriteInt64BigEndian(body[16..], 0);
        BinaryPrimitives.WriteInt32BigEndian(body[24..], 16);
        await socket.SendAsync(request, SocketFlags.None, timeout.Token);

        // ConnectResponse: protocolVersion, timeOut, sessionId, ...
        var length = new byte[4];
        await ReadExactlyAsync(socket, length, timeout.Token);
        var response = new byte[BinaryPrimitives.ReadInt32BigEndian(length)];
        await ReadExactlyAsync(socket, response, timeout.Token);
        var sessionId = BinaryPrimitives.ReadInt64BigEndian(response.AsSpan(8));
        Assert.NotEqual(0, sessionId);
        return sessionId;
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        for (var read = 0; read < buffer.Length;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new IOException("server closed the connection during the handshake");
            }

            read += n;
        }
    }
}
