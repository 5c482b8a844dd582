namespace Registry.ZooKeeper.Internal;

/// <summary>
/// The client's record of the watches the server holds for this session, keyed by client path. It decides which
/// watchers an event triggers (one-shot watches are removed, persistent ones stay) and lists every watch for
/// setWatches2 after a reconnect, so no registered watch is lost. Thread-safe: the read loop and callers use it.
/// </summary>
internal sealed class WatchManager
{
    private readonly Dictionary<string, HashSet<IWatcher>>[] _byKind =
        Enumerable.Range(0, 5).Select(_ => new Dictionary<string, HashSet<IWatcher>>(StringComparer.Ordinal)).ToArray();

    private readonly Lock _lock = new();

    public bool IsEmpty
    {
        get
        {
            lock (_lock)
            {
                return _byKind.All(d => d.Count == 0);
            }
        }
    }

    public void Add(WatchKind kind, string path, IWatcher watcher)
    {
        lock (_lock)
        {
            var map = _byKind[(int)kind];
            if (!map.TryGetValue(path, out var set))
            {
                set = [];
                map[path] = set;
            }

            set.Add(watcher);
        }
    }

    /// <summary>The watchers an event triggers, each once, removing the one-shot watches it consumes.</summary>
    public List<IWatcher> Materialize(WatchEventType type, string path)
    {
        var result = new HashSet<IWatcher>(ReferenceEqualityComparer.Instance);
        lock (_lock)
        {
            switch (type)
            {
                case WatchEventType.NodeCreated:
                case WatchEventType.NodeDataChanged:
                    Take(WatchKind.Data, path, result);
                    Take(WatchKind.Exist, path, result);
                    Copy(WatchKind.Persistent, path, result);
                    CopyRecursive(path, result);
                    break;
                case WatchEventType.NodeChildrenChanged:
                    // Persistent-recursive watches are not told about children: they get the children's own events.
                    Take(WatchKind.Child, path, result);
                    Copy(WatchKind.Persistent, path, result);
                    break;
                case WatchEventType.NodeDeleted:
                    Take(WatchKind.Data, path, result);
                    Take(WatchKind.Exist, path, result);
                    Take(WatchKind.Child, path, result);
                    Copy(WatchKind.Persistent, path, result);
                    CopyRecursive(path, result);
                    break;
            }
        }

        return [.. result.Cast<IWatcher>()];
    }

    /// <summary>Every distinct watcher, and forgets them all (session expired or closed).</summary>
    public List<IWatcher> Clear()
    {
        var result = new HashSet<IWatcher>(ReferenceEqualityComparer.Instance);
        lock (_lock)
        {
            foreach (var map in _byKind)
            {
                foreach (var set in map.Values)
                {
                    result.UnionWith(set);
                }

                map.Clear();
            }
        }

        return [.. result.Cast<IWatcher>()];
    }

    /// <summary>The paths of each kind, for setWatches2.</summary>
    public Dictionary<WatchKind, List<string>> Snapshot()
    {
        lock (_lock)
        {
            return Enum.GetValues<WatchKind>().ToDictionary(k => k, k => _byKind[(int)k].Keys.ToList());
        }
    }

    /// <summary>The kinds under which <paramref name="watcher"/> (or any watcher, when null) watches <paramref name="path"/>, limited to <paramref name="type"/>.</summary>
    public List<WatchKind> Find(string path, IWatcher? watcher, WatcherType type)
    {
        lock (_lock)
        {
            return KindsOf(type)
                .Where(k => _byKind[(int)k].TryGetValue(path, out var set) && (watcher is null ? set.Count > 0 : set.Contains(watcher)))
                .ToList();
        }
    }

    /// <summary>Removes <paramref name="watcher"/> (or all, when null) from the given kinds on a path; returns what it removed.</summary>
    public List<(IWatcher Watcher, WatchKind Kind)> Remove(string path, IWatcher? watcher, IEnumerable<WatchKind> kinds)
    {
        var removed = new List<(IWatcher, WatchKind)>();
        lock (_lock)
        {
            foreach (var kind in kinds)
            {
                var map = _byKind[(int)kind];
                if (!map.TryGetValue(path, out var set))
                {
                    continue;
                }

                if (watcher is null)
                {
                    removed.AddRange(set.Select(w => (w, kind)));
                    set.Clear();
                }
                else if (set.Remove(watcher))
                {
                    removed.Add((watcher, kind));
                }

                if (set.Count == 0)
                {
                    map.Remove(path);
                }
            }
        }

        return removed;
    }

    /// <summary>
    /// The server-side watches that removing <paramref name="watcher"/> (or every watcher) from <paramref name="kinds"/>
    /// would leave with no local watcher. The server keeps one watch per path and type for the whole session, shared by
    /// all local watchers (data and exist watches are both its data watch), so only those need removing there.
    /// </summary>
    public List<WatcherType> ServerWatchesEmptiedBy(string path, IWatcher? watcher, IReadOnlyCollection<WatchKind> kinds)
    {
        lock (_lock)
        {
            var emptied = new List<WatcherType>();
            foreach (var serverType in kinds.Select(ServerTypeOf).Distinct())
            {
                var remaining = 0;
                foreach (var kind in KindsOf(serverType))
                {
                    if (_byKind[(int)kind].TryGetValue(path, out var set))
                    {
                        remaining += !kinds.Contains(kind) ? set.Count : watcher is null ? 0 : set.Count(w => !ReferenceEquals(w, watcher));
                    }
                }

                if (remaining == 0)
                {
                    emptied.Add(serverType);
                }
            }

            return emptied;
        }
    }

    /// <summary>The kinds of watch some watcher holds on <paramref name="path"/>.</summary>
    public List<WatchKind> KindsOn(string path)
    {
        lock (_lock)
        {
            return Enum.GetValues<WatchKind>().Where(k => _byKind[(int)k].ContainsKey(path)).ToList();
        }
    }

    public static WatcherType ServerTypeOf(WatchKind kind) => kind switch
    {
        WatchKind.Child => WatcherType.Children,
        WatchKind.Data or WatchKind.Exist => WatcherType.Data,
        WatchKind.Persistent => WatcherType.Persistent,
        _ => WatcherType.PersistentRecursive,
    };

    public static IEnumerable<WatchKind> KindsOf(WatcherType type) => type switch
    {
        WatcherType.Children => [WatchKind.Child],
        WatcherType.Data => [WatchKind.Data, WatchKind.Exist],
        WatcherType.Persistent => [WatchKind.Persistent],
        WatcherType.PersistentRecursive => [WatchKind.PersistentRecursive],
        _ => Enum.GetValues<WatchKind>(),
    };

    public static WatchEventType RemovalEventFor(WatchKind kind) => kind switch
    {
        WatchKind.Data or WatchKind.Exist => WatchEventType.DataWatchRemoved,
        WatchKind.Child => WatchEventType.ChildWatchRemoved,
        _ => WatchEventType.PersistentWatchRemoved,
    };

    private void Take(WatchKind kind, string path, HashSet<IWatcher> into)
    {
        if (_byKind[(int)kind].Remove(path, out var set))
        {
            into.UnionWith(set);
        }
    }

    private void Copy(WatchKind kind, string path, HashSet<IWatcher> into)
    {
        if (_byKind[(int)kind].TryGetValue(path, out var set))
        {
            into.UnionWith(set);
        }
    }

    private void CopyRecursive(string path, HashSet<IWatcher> into)
    {
        var map = _byKind[(int)WatchKind.PersistentRecursive];
        if (map.Count == 0)
        {
            return;
        }

        for (string? p = path; p is not null; p = ZooKeeperPath.Parent(p))
        {
            if (map.TryGetValue(p, out var set))
            {
                into.UnionWith(set);
            }
        }
    }
}
