using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Registry.ZooKeeper;

/// <summary>
/// A credential a session presents to ZooKeeper (what zkCli's <c>addauth scheme credential</c> sends): the scheme of an
/// authentication provider and the scheme's bytes, e.g. <c>digest</c> with <c>user:password</c>. Its text never shows
/// the secret, so it may be logged.
/// </summary>
public sealed class AuthInfo
{
    /// <summary>Creates a credential; <paramref name="auth"/> is copied.</summary>
    /// <exception cref="ArgumentException">The scheme is empty.</exception>
    public AuthInfo(string scheme, ReadOnlySpan<byte> auth)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        Scheme = scheme;
        Auth = auth.ToArray();
    }

    /// <summary>The authentication scheme, e.g. <c>digest</c>.</summary>
    public string Scheme { get; }

    /// <summary>The scheme-specific credential (for <c>digest</c>, <c>user:password</c> in UTF-8).</summary>
    public ReadOnlyMemory<byte> Auth { get; }

    /// <summary>A <c>digest</c> credential: the identity <see cref="Acl.Digest"/> entries grant rights to.</summary>
    public static AuthInfo Digest(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        return new AuthInfo("digest", Encoding.UTF8.GetBytes(user + ":" + password));
    }

    /// <summary>
    /// Parses <c>scheme:credential</c>, e.g. <c>digest:registry:s3cret</c> (zkCli's <c>addauth</c> arguments joined by a
    /// colon). A <c>digest</c> credential must be <c>user:password</c> with a user. The error never repeats the credential.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out AuthInfo? auth, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        auth = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? text : text[..colon];
        if (colon <= 0 || !scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            error = "it is not scheme:credential (like digest:registry:s3cret)";
            return false;
        }

        var credential = text[(colon + 1)..];
        if (credential.Length == 0)
        {
            error = $"the {scheme} credential after '{scheme}:' is empty";
            return false;
        }

        // ZooKeeper accepts a digest without a colon, but the identity it makes can match no digest ACL.
        if (scheme == "digest" && credential.IndexOf(':', StringComparison.Ordinal) <= 0)
        {
            error = "a digest credential is user:password (like digest:registry:s3cret)";
            return false;
        }

        auth = new AuthInfo(scheme, Encoding.UTF8.GetBytes(credential));
        error = null;
        return true;
    }

    /// <summary>The scheme, and for <c>digest</c> the user; never the secret.</summary>
    public override string ToString()
    {
        if (Scheme == "digest")
        {
            var text = Encoding.UTF8.GetString(Auth.Span);
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                return $"digest:{text[..colon]}";
            }
        }

        return Scheme;
    }
}
