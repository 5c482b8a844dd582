using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Registry.Server.Dns.Transport.LinuxUdp;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// One UDP receive loop on Linux that moves datagrams in batches: recvmmsg(2) takes every query waiting on the socket
/// (up to <see cref="Batch"/>), each is answered into its own slot, and one sendmmsg(2) sends all the answers. Under
/// load that is two system calls per batch instead of two per query, which is where a cached answer's time goes (Knot
/// does the same). When nothing waits it blocks in poll(2), a quarter second at a time so that it notices the stop.
/// </summary>
/// <remarks>
/// Every buffer is native memory allocated once per loop: nothing is allocated per query on the fast path. A query
/// longer than <see cref="SlotSize"/> (no real UDP query is: they are a few dozen bytes, a few hundred with a TSIG) is
/// dropped, as the kernel cut it. An answer longer than a slot (possible only for the special handler, which sends its
/// own) would be sent alone.
/// </remarks>
internal sealed unsafe class DnsUdpBatchLoop : IDisposable
{
    /// <summary>Datagrams per system call: enough to empty the socket under dnsperf-like load, small enough to stay in cache.</summary>
    public const int Batch = 32;

    /// <summary>Bytes per query or answer slot; answers on UDP are at most the EDNS size we advertise (1232).</summary>
    public const int SlotSize = 4096;

    private const int AddressSize = 128; // sizeof(struct sockaddr_storage)
    private const int PollTimeoutMs = 250;

    private readonly Socket _socket;
    private readonly DnsQueryProcessor _processor;
    private readonly Action<byte[], IPEndPoint> _special;
    private readonly Action<Exception> _error;
    private readonly Func<bool> _stopping;
    private readonly DnsTransportCounters _counters;
    private readonly byte* _memory;
    private readonly MMsgHdr* _receive;
    private readonly MMsgHdr* _send;
    private readonly IoVec* _receiveIov;
    private readonly IoVec* _sendIov;
    private readonly byte* _addresses;
    private readonly byte* _queries;
    private readonly byte* _answers;

    public DnsUdpBatchLoop(Socket socket, DnsQueryProcessor processor, DnsTransportCounters counters, Action<byte[], IPEndPoint> special, Action<Exception> error, Func<bool> stopping)
    {
        _socket = socket;
        _processor = processor;
        _counters = counters;
        _special = special;
        _error = error;
        _stopping = stopping;
        var headers = Batch * sizeof(MMsgHdr);
        var vectors = Batch * sizeof(IoVec);
        var size = (2 * headers) + (2 * vectors) + (Batch * AddressSize) + (2 * Batch * SlotSize);
        _memory = (byte*)NativeMemory.AllocZeroed((nuint)size);
        _receive = (MMsgHdr*)_memory;
        _send = (MMsgHdr*)(_memory + headers);
        _receiveIov = (IoVec*)(_memory + (2 * headers));
        _sendIov = (IoVec*)(_memory + (2 * headers) + vectors);
        _addresses = _memory + (2 * headers) + (2 * vectors);
        _queries = _addresses + (Batch * AddressSize);
        _answers = _queries + (Batch * SlotSize);
        for (var i = 0; i < Batch; i++)
        {
            _receiveIov[i] = new IoVec { Base = (nint)(_queries + (i * SlotSize)), Length = SlotSize };
            _sendIov[i] = new IoVec { Base = (nint)(_answers + (i * SlotSize)) };
            _receive[i].Iov = (nint)(_receiveIov + i);
            _receive[i].IovLength = 1;
            _send[i].Iov = (nint)(_sendIov + i);
            _send[i].IovLength = 1;
        }
    }

    public void Dispose() => NativeMemory.Free(_memory);

    /// <summary>Receives, answers and sends until the socket is closed or the stop is asked for.</summary>
    public void Run()
    {
        var fd = (int)_socket.SafeHandle.DangerousGetHandle();
        while (!_stopping())
        {
            for (var i = 0; i < Batch; i++)
            {
                _receive[i].Name = (nint)(_addresses + (i * AddressSize));
                _receive[i].NameLength = AddressSize;
                _receive[i].Flags = 0;
            }

            var received = RecvMMsg(fd, _receive, Batch, MsgDontWait, 0);
            if (received <= 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (received == 0 || errno is EAgain or EIntr)
                {
                    var poll = new PollFd { Fd = fd, Events = PollIn };
                    _ = LinuxUdp.Poll(&poll, 1, PollTimeoutMs);
                    continue;
                }

                if (_stopping())
                {
                    return;
                }

                _error(new SocketException(errno));
                continue;
            }

            Send(fd, Answer(received));
        }
    }

    /// <summary>Answers the received datagrams into the send slots; returns how many answers there are.</summary>
    private int Answer(int received)
    {
        var answers = 0;
        for (var i = 0; i < received; i++)
        {
            try
            {
                if ((_receive[i].Flags & MsgTrunc) != 0)
                {
                    _counters.Drop();
                    continue;
                }

                var message = new ReadOnlySpan<byte>(_queries + (i * SlotSize), (int)_receive[i].Length);
                var reply = _processor.Answer(message, tcp: false, out var query);
                if (reply.Kind == DnsReplyKind.Special)
                {
                    _special(message.ToArray(), Peer(i));
                }
                else if (reply.Kind == DnsReplyKind.Bytes && reply.Length <= SlotSize)
                {
                    reply.WriteTo(new Span<byte>(_answers + (answers * SlotSize), SlotSize), message, query);
                    _sendIov[answers].Length = (nuint)reply.Length;
                    _send[answers].Name = _receive[i].Name;
                    _send[answers].NameLength = _receive[i].NameLength;
                    answers++;
                }
                else if (reply.Kind == DnsReplyKind.Bytes)
                {
                    var large = new byte[reply.Length];
                    reply.WriteTo(large, message, query);
                    _socket.SendTo(large, SocketFlags.None, Peer(i));
                }
            }
#pragma warning disable CA1031 // one datagram's failure must not cost the batch its other answers
            catch (Exception e)
#pragma warning restore CA1031
            {
                _error(e);
            }
        }

        return answers;
    }

    private void Send(int fd, int answers)
    {
        var sent = 0;
        while (sent < answers)
        {
            var result = SendMMsg(fd, _send + sent, (uint)(answers - sent), 0);
            if (result <= 0)
            {
                // A full send buffer (the socket is non-blocking once .NET has used it asynchronously) or a peer's
                // ICMP error: UDP may drop, the client retries; the rest of the batch is not held up.
                _counters.Drop();
                sent++;
                continue;
            }

            sent += result;
        }
    }

    private IPEndPoint Peer(int i)
    {
        var length = (int)_receive[i].NameLength;
        var address = new SocketAddress(_socket.AddressFamily, length);
        new ReadOnlySpan<byte>(_addresses + (i * AddressSize), length).CopyTo(address.Buffer.Span);
        return (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);
    }
}
