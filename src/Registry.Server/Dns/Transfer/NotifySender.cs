using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;
using Registry.Server.Dns.Wire;

namespace Registry.Server.Dns.Transfer;

/// <summary>
/// Sends one NOTIFY (RFC 1996 §3): opcode NOTIFY, AA, the question <c>zone. IN SOA</c> and the SOA in the answer,
/// over UDP, retried with a doubling timeout until a response with the same id comes (at most <see cref="MaxTries"/>).
/// </summary>
internal sealed class NotifySender(TimeProvider timeProvider, ILogger logger)
{
    public const int MaxTries = 5;

    /// <summary>The first wait for an answer; each retry doubles it (RFC 1996 §3.6 leaves the schedule to us).</summary>
    public TimeSpan FirstTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Sends and waits for the acknowledgement; true when one came.</summary>
    public async Task<bool> SendAsync(NotifyTarget target, SoaRecord soa, TsigKey? key, CancellationToken cancellationToken)
    {
        var zone = soa.Name.ToString();
        var message = new DnsMessage
        {
            TransactionID = (ushort)Random.Shared.Next(ushort.MaxValue + 1),
            IsQuery = true,
            OperationCode = OperationCode.Notify,
            IsAuthoritiveAnswer = true,
        };
        message.Questions.Add(new DnsQuestion(soa.Name, RecordType.Soa, RecordClass.INet));
        message.AnswerRecords.Add(soa);

        using var socket = new Socket(target.Endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var buffer = new byte[4096];
        var timeout = FirstTimeout;
        for (var attempt = 1; attempt <= MaxTries; attempt++)
        {
            // Signed anew on every try: the time signed must be fresh, and a MAC is per message.
            var data = key is null ? ArsoftWire.Encode(message) : TsigSigner.SignRequest(message, key, timeProvider);
            try
            {
                await socket.SendToAsync(data, SocketFlags.None, target.Endpoint, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                TransferLog.NotifyFailed(logger, zone, target.ToString(), e.Message);
                return false;
            }

            TransferLog.NotifySent(logger, zone, soa.SerialNumber, target.ToString(), attempt);
            if (await AwaitAnswerAsync(socket, buffer, message.TransactionID, timeout, cancellationToken).ConfigureAwait(false))
            {
                TransferLog.NotifyAcknowledged(logger, zone, soa.SerialNumber, target.ToString(), attempt);
                return true;
            }

            timeout *= 2;
        }

        TransferLog.NotifyGaveUp(logger, zone, soa.SerialNumber, target.ToString(), MaxTries);
        return false;
    }

    private async Task<bool> AwaitAnswerAsync(Socket socket, byte[] buffer, ushort id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), linked.Token).ConfigureAwait(false);

                // Any response with our id acknowledges (RFC 1996 §4.7); its rcode does not matter to the retries.
                if (received.ReceivedBytes >= 12 && SpecialQueryHandler.IdOf(buffer) == id && (buffer[2] & 0x80) != 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false; // e.g. ICMP port unreachable: nobody listens yet; the next try may find it
        }
    }
}
