using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Core.Merge;
using Registry.Server.Configuration;
using Registry.Server.Dns;
using Registry.Server.Dns.Transfer;
using Registry.Server.Dns.Wire;
using Registry.Server.Views;

namespace Registry.Server.Tests.Dns.Transfer;

/// <summary>The special-query handler over the test zones, with queries made as clients make them and the responses captured.</summary>
internal sealed class TransferTestHost : IDisposable
{
    public static readonly TsigKey Key = new(DomainName.Parse("xfer-key."), TSigAlgorithm.Sha256, Convert.FromBase64String("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ="));
    public static readonly TsigKey OtherKey = new(DomainName.Parse("other-key."), TSigAlgorithm.Sha512, Convert.FromBase64String("b3RoZXItb3RoZXItb3RoZXI="));
    public static readonly IPEndPoint Allowed = new(IPAddress.Parse("10.1.2.3"), 40000);
    public static readonly IPEndPoint Stranger = new(IPAddress.Parse("192.0.2.99"), 40000);

    private readonly DnsTestView _test = new();

    public TransferTestHost(string allow = "10.1.0.0/16,key:xfer-key", int maxMessageSize = ZoneTransferMessages.MaxMessageSize, TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        Assert.True(TransferAccess.TryParse(allow, out var access, out _));
        View = new LiveView(_test.DefaultZones(), DnsTestView.Origin, MergePolicy.Default, Time);
        View.SetRegistrations(DnsTestView.Registered(7, (DnsTestView.Web, [DnsTestView.Instance(DnsTestView.Web, "i1", "10.0.0.1", 4070), DnsTestView.Instance(DnsTestView.Web, "i3", "10.0.0.3", 4070)])), stale: false);
        var options = new ServerOptions { Zones = "/nonexistent", DataDir = "/nonexistent", TransferAllow = access, TsigKeys = [Key, OtherKey] };
        Handler = new SpecialQueryHandler(View, Responder, options, Time, NullLogger<SpecialQueryHandler>.Instance) { MaxMessageSize = maxMessageSize };
    }

    public TimeProvider Time { get; }

    public LiveView View { get; }

    public DnsResponder Responder { get; } = new(new DnsAnswerOptions());

    public SpecialQueryHandler Handler { get; }

    public TsigVerifier Verifier => new([Key, OtherKey], Time);

    public static DnsMessage Query(string name, RecordType type, uint? ixfrSerial = null)
    {
        var query = DnsTestView.Query(name, type);
        query.IsRecursionDesired = false;
        if (ixfrSerial is { } serial)
        {
            query.AuthorityRecords.Add(new SoaRecord(DomainName.Parse(name), 0, DomainName.Root, DomainName.Root, serial, 0, 0, 0, 0));
        }

        return query;
    }

    /// <summary>Encodes <paramref name="query"/>, signed with <paramref name="key"/> at <paramref name="signedAt"/> when given; returns the bytes and the request MAC.</summary>
    public static (byte[] Bytes, byte[] Mac) Encode(DnsMessage query, TsigKey? key = null, DateTime? signedAt = null, byte[]? secret = null)
    {
        if (key is not null)
        {
            query.TSigOptions = new TSigRecord(key.Name, key.Algorithm, signedAt ?? DateTime.UtcNow, TimeSpan.FromSeconds(300), query.TransactionID, ReturnCode.NoError, [], secret ?? key.Secret);
        }

        var bytes = ArsoftWire.Encode(query).ToArray();
        return (bytes, key is null ? [] : DnsMessage.Parse(bytes).TSigOptions!.Mac);
    }

    /// <summary>Hands <paramref name="bytes"/> to the handler and returns the raw responses.</summary>
    public async Task<List<byte[]>> AskAsync(byte[] bytes, IPEndPoint? peer = null, bool tcp = true)
    {
        var responses = new List<byte[]>();
        await Handler.HandleAsync(bytes, peer ?? Allowed, tcp, (data, _) =>
        {
            responses.Add(data.ToArray());
            return ValueTask.CompletedTask;
        }, CancellationToken.None);
        return responses;
    }

    public void Dispose() => _test.Dispose();
}
