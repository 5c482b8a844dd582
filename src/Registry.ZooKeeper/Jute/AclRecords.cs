using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Jute;

/// <summary>The reply to getACL.</summary>
internal readonly record struct GetAclResponse(List<Acl> Acl, Stat Stat) : IJuteResponse<GetAclResponse>
{
    public static GetAclResponse Read(ref JuteReader reader) => new(ZooKeeper.Acl.ReadVector(ref reader), Stat.Read(ref reader));
}

/// <summary>setACL: path, ACL and the expected ACL version (-1 for any).</summary>
internal readonly record struct SetAclRequest(string Path, IReadOnlyList<Acl> Acl, int Version) : IJuteRequest
{
    public OpCode OpCode => OpCode.SetAcl;

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        ZooKeeper.Acl.WriteVector(writer, Acl);
        writer.WriteInt32(Version);
    }
}

/// <summary>The auth packet (sent with xid -4): scheme and credential, e.g. <c>digest</c> and <c>user:password</c>.</summary>
internal readonly record struct AuthRequest(string Scheme, byte[] Auth) : IJuteRequest
{
    public OpCode OpCode => OpCode.Auth;

    public void Write(JuteWriter writer)
    {
        writer.WriteInt32(0);
        writer.WriteString(Scheme);
        writer.WriteBuffer(Auth);
    }
}
