using System.Net;
using System.Net.Sockets;

namespace Registry.Testing.Internal;

/// <summary>
/// Picks loopback ports by binding port 0 and releasing it. Another process can take the port before the
/// server binds it, so callers retry a failed start on fresh ports; this only avoids handing out the same
/// port twice within this test run.
/// </summary>
internal static class FreePorts
{
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            lock (Gate)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("could not find a loopback port that this test run has not used yet");
    }
}
