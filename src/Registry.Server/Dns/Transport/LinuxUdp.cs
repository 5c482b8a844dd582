using System.Runtime.InteropServices;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// The Linux system calls behind <see cref="DnsUdpBatchLoop"/>: recvmmsg(2) and sendmmsg(2) move many datagrams per
/// call, which .NET's Socket does not offer, and poll(2) waits for the next ones. Layouts are those of LP64 Linux
/// (x86-64, arm64), the only platforms the batch loop runs on.
/// </summary>
internal static partial class LinuxUdp
{
    public const int MsgDontWait = 0x40;
    public const int MsgTrunc = 0x20;
    public const short PollIn = 0x1;
    public const int EAgain = 11;
    public const int EIntr = 4;

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    /// <summary>struct mmsghdr: a struct msghdr (56 bytes, its flags padded to 8) and the byte count the call filled in.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct MMsgHdr
    {
        [FieldOffset(0)]
        public nint Name;
        [FieldOffset(8)]
        public uint NameLength;
        [FieldOffset(16)]
        public nint Iov;
        [FieldOffset(24)]
        public nuint IovLength;
        [FieldOffset(32)]
        public nint Control;
        [FieldOffset(40)]
        public nuint ControlLength;
        [FieldOffset(48)]
        public int Flags;
        [FieldOffset(56)]
        public uint Length;
    }

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>True where the layouts above hold.</summary>
    public static bool IsSupported =>
        OperatingSystem.IsLinux() && IntPtr.Size == 8 && Marshal.SizeOf<MMsgHdr>() == 64 && Marshal.SizeOf<IoVec>() == 16;

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static unsafe partial int RecvMMsg(int fd, MMsgHdr* messages, uint count, int flags, nint timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static unsafe partial int SendMMsg(int fd, MMsgHdr* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);
}
