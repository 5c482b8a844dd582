using System.Collections.Immutable;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.ZooKeeper;

namespace Registry.Discovery;

/// <summary>
/// Nodes the session may not read (NoAuth): a service node whose ACL withholds READ from the watcher's credential is
/// left out as a whole (its instances cannot even be listed), an unreadable instance node alone. Either is logged
/// once while it stays unreadable, counted with <see cref="SkippedRegistrations"/>, and never stops the rest.
/// </summary>
public sealed partial class RegistrationWatcher
{
    /// <summary>How long to wait before trying again when ZooKeeper refuses the base path or the credential.</summary>
    private static readonly TimeSpan RefusedRetry = TimeSpan.FromSeconds(5);

    /// <summary>The watcher's credentials as logs may show them (never the secrets).</summary>
    private string Identity => _clientOptions.Credentials.Count == 0 ? "none" : string.Join(", ", _clientOptions.Credentials);

    /// <summary>A node as read after an event: its data (null when gone), or <c>Denied</c> when the session may not read it.</summary>
    private static async Task<(DataResult? Data, bool Denied)> ReadNodeAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await DataOrNullAsync(client, path, cancellationToken).ConfigureAwait(false), false);
        }
        catch (NoAuthException)
        {
            return (null, true);
        }
    }

    /// <summary>
    /// One instance from a multiRead result: decoded, or null (gone, undecodable, or unreadable: then added to
    /// <paramref name="unreadable"/>). Raises <paramref name="zxid"/> to the node's mzxid when it was read.
    /// </summary>
    private ServiceInstance? FromResult(ServiceName service, string id, OpResult result, ref long zxid, ICollection<string> unreadable)
    {
        switch (result)
        {
            case GetDataResult data:
                zxid = Math.Max(zxid, data.Stat.Mzxid);
                return Decode(service, id, new DataResult(data.Data, data.Stat));
            case ErrorResult { Code: KeeperErrorCode.NoNode }:
                return null; // deleted since its service was listed
            case ErrorResult { Code: KeeperErrorCode.NoAuth }:
                unreadable.Add(_layout.InstancePath(service, id));
                return null;
            case ErrorResult error:
                throw KeeperException.Create(error.Code, _layout.InstancePath(service, id), "reading a registration failed");
            default:
                throw new InvalidOperationException($"unexpected multiRead result {result.GetType().Name}");
        }
    }

    /// <summary>
    /// Reads one service as the full load would: its children, then their data. Used when a service that could not be
    /// listed shows signs of life, because ZooKeeper sends no event when an ACL changes and the instances already under
    /// a service that turned readable raise none either.
    /// </summary>
    private async Task<(ImmutableSortedDictionary<string, ServiceInstance>? Instances, long Zxid, bool Denied)> ReadServiceAsync(
        ZooKeeperClient client, ServiceName service, CancellationToken cancellationToken)
    {
        ChildrenResult? children;
        try
        {
            children = await ChildrenOrNullAsync(client, _layout.ServicePath(service), cancellationToken).ConfigureAwait(false);
        }
        catch (NoAuthException)
        {
            return (null, 0, true);
        }

        if (children is null)
        {
            return (null, 0, false);
        }

        var zxid = children.Stat.Pzxid;
        var instances = ImmutableSortedDictionary.CreateBuilder<string, ServiceInstance>(StringComparer.Ordinal);
        var unreadable = new List<string>();
        foreach (var ids in children.Children.Chunk(InstancesPerRead))
        {
            var results = await client.MultiReadAsync([.. ids.Select(id => Op.GetData(_layout.InstancePath(service, id)))], cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < ids.Length; i++)
            {
                if (FromResult(service, ids[i], results[i], ref zxid, unreadable) is { } instance)
                {
                    instances[ids[i]] = instance;
                }
            }
        }

        foreach (var path in unreadable)
        {
            MarkUnreadable(path);
        }

        return (instances.ToImmutable(), zxid, false);
    }

    /// <summary>Leaves a node out: logged and counted the first time, silent while it stays unreadable.</summary>
    private void MarkUnreadable(string path)
    {
        if (_unreadable.Add(path))
        {
            Interlocked.Increment(ref _skipped);
            Log.Unreadable(_logger, path, Identity);
        }
    }

    /// <summary>A node read (or gone) after it was unreadable; a service node read again says so.</summary>
    private void MarkReadable(string path, bool isService)
    {
        if (_unreadable.Remove(path) && isService)
        {
            Log.ReadableAgain(_logger, path);
        }
    }

    /// <summary>A service node deleted: what was unreadable below it went with it.</summary>
    private void ForgetUnreadableUnder(string servicePath)
    {
        _unreadable.Remove(servicePath);
        _unreadable.RemoveWhere(p => p.StartsWith(servicePath + "/", StringComparison.Ordinal));
    }

    /// <summary>After a full load: the nodes it could not read are the unreadable set; new ones are logged and counted.</summary>
    private void ReplaceUnreadable(HashSet<string> unreadable, ImmutableDictionary<ServiceName, ImmutableSortedDictionary<string, ServiceInstance>> services)
    {
        foreach (var path in unreadable)
        {
            if (!_unreadable.Contains(path))
            {
                Interlocked.Increment(ref _skipped);
                Log.Unreadable(_logger, path, Identity);
            }
        }

        foreach (var service in services.Keys)
        {
            if (_unreadable.Contains(_layout.ServicePath(service)))
            {
                Log.ReadableAgain(_logger, _layout.ServicePath(service));
            }
        }

        _unreadable.Clear();
        _unreadable.UnionWith(unreadable);
    }

    /// <summary>Logs a refusal (of the base path, or of the credential) once until a load succeeds again.</summary>
    private void LogRefusal(KeeperException refusal)
    {
        var key = $"{refusal.Code} {refusal.Path}";
        if (_refusal == key)
        {
            return;
        }

        _refusal = key;
        if (refusal is AuthFailedException)
        {
            Log.CredentialRejected(_logger, Identity, (int)RefusedRetry.TotalSeconds);
        }
        else
        {
            Log.BaseUnreadable(_logger, _layout.BasePath, Identity, (int)RefusedRetry.TotalSeconds);
        }
    }
}
