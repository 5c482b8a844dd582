namespace Registry.ZooKeeper.Internal;

/// <summary>ZooKeeper's path rules (PathUtils.validatePath) and chroot mapping.</summary>
internal static class ZooKeeperPath
{
    /// <summary>Checks a node path; a sequential create may end in '/' because the server appends the suffix.</summary>
    /// <exception cref="ArgumentException">The path breaks one of ZooKeeper's rules.</exception>
    public static void Validate(string path, string parameterName, bool isSequential = false)
    {
        ArgumentNullException.ThrowIfNull(path, parameterName);
        var checkedPath = isSequential ? path + "1" : path;
        var reason = Check(checkedPath);
        if (reason is not null)
        {
            throw new ArgumentException($"invalid path '{path}': {reason}", parameterName);
        }
    }

    public static string ToServer(string? chroot, string clientPath) =>
        chroot is null ? clientPath : clientPath == "/" ? chroot : chroot + clientPath;

    /// <summary>Strips the chroot from a path the server sent; null when the path is outside the chroot.</summary>
    public static string? ToClient(string? chroot, string serverPath)
    {
        if (chroot is null)
        {
            return serverPath;
        }

        if (serverPath == chroot)
        {
            return "/";
        }

        return serverPath.Length > chroot.Length && serverPath.StartsWith(chroot, StringComparison.Ordinal) && serverPath[chroot.Length] == '/'
            ? serverPath[chroot.Length..]
            : null;
    }

    /// <summary>The parent of a path; null for the root.</summary>
    public static string? Parent(string path)
    {
        if (path == "/")
        {
            return null;
        }

        var slash = path.LastIndexOf('/');
        return slash == 0 ? "/" : path[..slash];
    }

    private static string? Check(string path)
    {
        if (path.Length == 0)
        {
            return "it is empty";
        }

        if (path[0] != '/')
        {
            return "it must start with '/'";
        }

        if (path.Length == 1)
        {
            return null;
        }

        if (path[^1] == '/')
        {
            return "it must not end with '/'";
        }

        var segmentStart = 1;
        for (var i = 1; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/')
            {
                var c = path[i];
                if (c == '\0' || (c > '\u0000' && c <= '\u001f') || (c >= '\u007f' && c <= '\u009f') ||
                    (c >= '\ud800' && c <= '\uf8ff') || (c >= '\ufff0' && c <= '\uffff'))
                {
                    return $"invalid character U+{(int)c:X4} at index {i}";
                }

                continue;
            }

            var segment = path.AsSpan(segmentStart, i - segmentStart);
            if (segment.Length == 0)
            {
                return $"empty node name at index {i}";
            }

            if (segment is "." or "..")
            {
                return $"relative node name '{segment}' at index {segmentStart}";
            }

            segmentStart = i + 1;
        }

        return null;
    }
}
