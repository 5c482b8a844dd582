using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Registry.Server.Embedded;

/// <summary>
/// ZooKeeper's four-letter-word admin commands over raw TCP (<c>ruok</c>, <c>srvr</c>, <c>conf</c>, <c>dump</c>, ...).
/// The embedded ZooKeeper and the test harness use these rather than the project's own client, so the harness can test that client.
/// </summary>
public static class FourLetterWord
{
    /// <summary>What <c>srvr</c> answers while a quorum member has no quorum (or a server is still loading).</summary>
    public const string NotServing = "This ZooKeeper instance is not currently serving requests";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Sends <paramref name="word"/> and returns everything the server writes before it closes the connection.</summary>
    /// <param name="endPoint">The server's client port (or a proxy in front of it).</param>
    /// <param name="word">A four-letter word such as <c>srvr</c>.</param>
    /// <param name="cancellationToken">Stops the exchange.</param>
    /// <exception cref="ArgumentException"><paramref name="word"/> is not four ASCII characters.</exception>
    /// <exception cref="SocketException">Nothing listens at <paramref name="endPoint"/> or the connection broke.</exception>
    /// <exception cref="TimeoutException">The server did not finish answering within 5 s.</exception>
    public static Task<string> SendAsync(EndPoint endPoint, string word, CancellationToken cancellationToken = default) =>
        SendAsync(endPoint, word, DefaultTimeout, cancellationToken);

    /// <summary>Sends <paramref name="word"/> and returns everything the server writes before it closes the connection.</summary>
    /// <param name="endPoint">The server's client port (or a proxy in front of it).</param>
    /// <param name="word">A four-letter word such as <c>srvr</c>.</param>
    /// <param name="timeout">How long the whole exchange may take.</param>
    /// <param name="cancellationToken">Stops the exchange.</param>
    /// <exception cref="ArgumentException"><paramref name="word"/> is not four ASCII characters.</exception>
    /// <exception cref="SocketException">Nothing listens at <paramref name="endPoint"/> or the connection broke.</exception>
    /// <exception cref="TimeoutException">The server did not finish answering within <paramref name="timeout"/>.</exception>
    public static async Task<string> SendAsync(EndPoint endPoint, string word, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (word is not { Length: 4 } || !Ascii.IsValid(word))
        {
            throw new ArgumentException("a four-letter word is exactly four ASCII characters", nameof(word));
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endPoint, timeoutSource.Token).ConfigureAwait(false);
            await socket.SendAsync(Encoding.ASCII.GetBytes(word), SocketFlags.None, timeoutSource.Token).ConfigureAwait(false);

            // The server answers and then closes, so the answer is everything up to end of stream.
            var answer = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeoutSource.Token).ConfigureAwait(false)) > 0)
            {
                answer.Write(buffer, 0, read);
            }

            return Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)answer.Length);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"'{word}' to {endPoint} got no complete answer within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>
    /// The value of the <c>Mode:</c> line of a <c>srvr</c> or <c>stat</c> answer (<c>standalone</c>, <c>leader</c>,
    /// <c>follower</c>, <c>observer</c>, <c>read-only</c>), or <see langword="null"/> when the server is not serving.
    /// </summary>
    public static string? ParseMode(string srvrAnswer)
    {
        ArgumentNullException.ThrowIfNull(srvrAnswer);
        foreach (var line in srvrAnswer.Split('\n'))
        {
            if (line.StartsWith("Mode:", StringComparison.Ordinal))
            {
                return line["Mode:".Length..].Trim();
            }
        }

        return null;
    }
}
