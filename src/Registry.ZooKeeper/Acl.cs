using System.Security.Cryptography;
using System.Text;
using Registry.ZooKeeper.Jute;

namespace Registry.ZooKeeper;

/// <summary>One access-control entry: the permissions an identity (<paramref name="Scheme"/>, <paramref name="Id"/>) has on a node.</summary>
/// <param name="Permissions">The permissions granted.</param>
/// <param name="Scheme">The authentication scheme: <c>world</c>, <c>auth</c>, <c>digest</c>, <c>ip</c>, ...</param>
/// <param name="Id">The identity within the scheme, e.g. <c>anyone</c> or <c>user:base64(sha1(user:password))</c>.</param>
public sealed record Acl(Permissions Permissions, string Scheme, string Id)
{
    /// <summary>Everyone may do everything (ZooDefs.Ids.OPEN_ACL_UNSAFE).</summary>
    public static IReadOnlyList<Acl> OpenUnsafe { get; } = [new(Permissions.All, "world", "anyone")];

    /// <summary>Everyone may read (ZooDefs.Ids.READ_ACL_UNSAFE).</summary>
    public static IReadOnlyList<Acl> ReadUnsafe { get; } = [new(Permissions.Read, "world", "anyone")];

    /// <summary>Only the identities the creating connection authenticated with (ZooDefs.Ids.CREATOR_ALL_ACL).</summary>
    public static IReadOnlyList<Acl> CreatorAll { get; } = [new(Permissions.All, "auth", "")];

    /// <summary>An entry for a <c>digest</c> identity, computed as the server does from a user name and password.</summary>
    public static Acl Digest(Permissions permissions, string user, string password) =>
        new(permissions, "digest", DigestId(user, password));

    /// <summary>The digest id <c>user:base64(sha1("user:password"))</c> (DigestAuthenticationProvider.generateDigest).</summary>
    public static string DigestId(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
#pragma warning disable CA5350 // SHA-1 is what the ZooKeeper digest scheme is defined with.
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(user + ":" + password));
#pragma warning restore CA5350
        return user + ":" + Convert.ToBase64String(hash);
    }

    internal static Acl Read(ref JuteReader reader)
    {
        var permissions = (Permissions)reader.ReadInt32();
        var scheme = reader.ReadRequiredString("acl.scheme");
        var id = reader.ReadRequiredString("acl.id");
        return new Acl(permissions, scheme, id);
    }

    internal static List<Acl> ReadVector(ref JuteReader reader)
    {
        // perms (4) + two string lengths (8): an ACL takes at least 12 bytes.
        var count = reader.ReadCount("acl", minimumElementSize: 12);
        var acls = new List<Acl>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            acls.Add(Read(ref reader));
        }

        return acls;
    }

    internal static void WriteVector(JuteWriter writer, IReadOnlyList<Acl> acls)
    {
        writer.WriteInt32(acls.Count);
        foreach (var acl in acls)
        {
            writer.WriteInt32((int)acl.Permissions);
            writer.WriteString(acl.Scheme);
            writer.WriteString(acl.Id);
        }
    }
}
