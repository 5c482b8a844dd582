using System.Diagnostics.CodeAnalysis;
using Registry.ZooKeeper;

namespace Registry.Discovery;

/// <summary>
/// A ZooKeeper credential kept in a file, not on the command line where <c>ps</c> and shell history would show it:
/// one line <c>scheme:credential</c> (e.g. <c>digest:registry:s3cret</c>); blank lines and lines starting with <c>#</c>
/// are ignored. registry-server and registryctl read it for <c>--zookeeper-auth-file</c>.
/// </summary>
public static class ZooKeeperAuthFile
{
    /// <summary>Reads the credential; on failure <paramref name="error"/> says why, naming the file but never its content.</summary>
    public static bool TryRead(string path, [NotNullWhen(true)] out AuthInfo? credential, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        credential = null;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"cannot read the credential file {path}: {e.Message}";
            return false;
        }

        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (lines.Count != 1)
        {
            error = $"the credential file {path} must hold one line scheme:credential (like digest:registry:s3cret); it has {lines.Count}";
            return false;
        }

        if (!AuthInfo.TryParse(lines[0], out credential, out var parseError))
        {
            error = $"the credential in {path}: {parseError}";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>True when every user of the machine may read the file (a secret should be readable by its owner, or a group, only).</summary>
    public static bool IsReadableByEveryone(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.OtherRead) != 0;
}
