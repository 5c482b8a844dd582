using System.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.View;
using Registry.Server.Dns.Wire;

namespace Registry.Server.Dns.Transfer;

/// <summary>AXFR (RFC 5936) and IXFR (RFC 1995, answered with the whole zone when the client is behind).</summary>
internal sealed partial class SpecialQueryHandler
{
    private async ValueTask TransferAsync(
        DnsMessage query,
        DnsQuestion question,
        ViewSnapshot view,
        IPEndPoint peer,
        TsigKey? key,
        bool overTcp,
        TsigSigner? signer,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send,
        CancellationToken cancellationToken)
    {
        var kind = question.RecordType == RecordType.Axfr ? "AXFR" : "IXFR";
        var zoneName = question.Name.ToString();
        ValueTask Reply(ReturnCode code) => send(Sign(SpecialQueryHandler.Reply(query, code), signer), cancellationToken);

        if (question.RecordType == RecordType.Axfr && !overTcp)
        {
            // RFC 5936 §4.2: AXFR over UDP is not defined; BIND answers FORMERR, and so does the facade.
            await Reply(ReturnCode.FormatError).ConfigureAwait(false);
            return;
        }

        if (!_access.Allows(peer.Address, key))
        {
            TransferLog.Refused(_logger, kind, zoneName, peer.ToString(), key is null ? "address not in --dns-transfer-allow and no allowed TSIG key" : $"key {key.Name} not in --dns-transfer-allow");
            await Reply(ReturnCode.Refused).ConfigureAwait(false);
            return;
        }

        var index = _responder.IndexOf(view);
        if (question.RecordClass != RecordClass.INet || index.FindZone(question.Name) is not { } zone || !zone.Origin.Equals(question.Name))
        {
            // RFC 5936 §2.2.1: not a zone of ours.
            TransferLog.Refused(_logger, kind, zoneName, peer.ToString(), "not a served zone");
            await Reply(ReturnCode.NotAuthoritive).ConfigureAwait(false);
            return;
        }

        var serial = zone.Soa.SerialNumber;
        if (question.RecordType == RecordType.Ixfr)
        {
            if (query.AuthorityRecords.OfType<SoaRecord>().FirstOrDefault() is not { } client)
            {
                await Reply(ReturnCode.FormatError).ConfigureAwait(false); // RFC 1995 §3: the client's SOA is required
                return;
            }

            // RFC 1995 §2: a client as new as we are gets our SOA alone; so does one asking over UDP, which then
            // retries over TCP. A client behind gets the whole zone (§4 allows an AXFR-format answer), because the
            // facade keeps no history of changes to make a difference from.
            if (!ViewSnapshot.IsSerialGreater(serial, client.SerialNumber) || !overTcp)
            {
                TransferLog.IxfrCurrent(_logger, zoneName, peer.ToString(), client.SerialNumber, serial);
                await send(Sign(ZoneTransferMessages.SingleSoa(query, zone.Soa), signer), cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        var records = 0;
        var messages = 0;
        try
        {
            foreach (var message in ZoneTransferMessages.Build(query, zone.Soa, index.RecordsOf(zone), MaxMessageSize))
            {
                records += message.AnswerRecords.Count;
                messages++;
                await send(Sign(message, signer), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            TransferLog.Failed(_logger, zoneName, peer.ToString(), e.Message);
            throw;
        }

        TransferLog.Served(_logger, kind, zoneName, serial, peer.ToString(), records, messages);
    }

    private static ArraySegment<byte> Sign(DnsMessage message, TsigSigner? signer) =>
        signer is null ? ArsoftWire.Encode(message) : signer.Sign(message);
}
