using System.Globalization;
using Registry.Server.Embedded;
using Registry.Testing.Internal;

namespace Registry.Testing;

/// <summary>
/// A ZooKeeper 3.8 ensemble of local JVMs on loopback, for tests of leader loss, quorum loss and reconnection across members.
/// </summary>
/// <remarks>
/// Ensembles always run as local processes, whatever <see cref="ZooKeeperServerOptions.Backend"/> says: every member's
/// zoo.cfg must name fixed peer and election addresses of all members before any of them starts, and a restarted member
/// must come back at the same addresses. Containers would need a Docker network with per-container host names for that,
/// and the client-facing ports would still be remapped, which is not worth it for tests.
/// </remarks>
public sealed class ZooKeeperEnsemble : IAsyncDisposable
{
    private const int StartAttempts = 3;
    private const int FailureLogLines = 15;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ZooKeeperServerOptions _options;
    private readonly ZooKeeperServer[] _members;
    private bool _disposed;

    private ZooKeeperEnsemble(string rootDirectory, ZooKeeperServerOptions options, ZooKeeperServer[] members)
    {
        RootDirectory = rootDirectory;
        _options = options;
        _members = members;
    }

    /// <summary>The members in <c>myid</c> order (member <c>i</c> has <see cref="ZooKeeperServer.ServerId"/> <c>i + 1</c>); kill, stop and restart them individually.</summary>
    public IReadOnlyList<ZooKeeperServer> Members => _members;

    /// <summary>All members' client addresses, comma separated, as a ZooKeeper connect string.</summary>
    public string ConnectString => string.Join(',', _members.Select(m => m.ConnectString));

    /// <summary>The directory holding one sub-directory per member; deleted on dispose.</summary>
    public string RootDirectory { get; }

    /// <summary>How many member processes are running.</summary>
    public int RunningCount => _members.Count(m => m.IsRunning);

    /// <summary>True when a strict majority of members is running, i.e. the ensemble can have a quorum.</summary>
    public bool HasRunningMajority => RunningCount > _members.Length / 2;

    /// <summary>Starts <paramref name="size"/> members and waits until they have elected a leader and all serve.</summary>
    /// <param name="size">Number of members, at least 1 (3 tolerates one failure, 5 two).</param>
    /// <param name="options">Settings shared by all members; null for the defaults. <see cref="ZooKeeperServerOptions.Backend"/> is ignored.</param>
    /// <param name="cancellationToken">Abandons the start (members are killed and the directory deleted).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is less than 1.</exception>
    /// <exception cref="ZooKeeperUnavailableException">Java or the ZooKeeper jar is missing; the message says what to install.</exception>
    /// <exception cref="ZooKeeperStartException">No quorum within <see cref="ZooKeeperServerOptions.StartTimeout"/>, or a member exited; the message has the members' log tails.</exception>
    public static async Task<ZooKeeperEnsemble> StartAsync(int size = 3, ZooKeeperServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        options ??= new ZooKeeperServerOptions();
        var installation = ZooKeeperServer.RequireInstallation(dockerWasConsidered: false);
        for (var attempt = 1; ; attempt++)
        {
            var ensemble = Create(size, options, installation);
            try
            {
                foreach (var member in ensemble._members)
                {
                    await member.LaunchAsync(cancellationToken).ConfigureAwait(false);
                }

                await ensemble.WaitForStartAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
                return ensemble;
            }
            catch (ZooKeeperStartException e) when (e.IsPortConflict && attempt < StartAttempts)
            {
                await ensemble.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await ensemble.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// Waits until every running member serves and exactly one of them is the leader, within
    /// <see cref="ZooKeeperServerOptions.StartTimeout"/>. Use it after killing or restarting members.
    /// </summary>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <exception cref="TimeoutException">No quorum in time (e.g. fewer than a majority of members run); the message says which members are not serving.</exception>
    public Task WaitForQuorumAsync(CancellationToken cancellationToken = default) =>
        WaitForQuorumAsync(_options.StartTimeout, cancellationToken);

    /// <summary>Waits until every running member serves and exactly one of them is the leader.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <exception cref="TimeoutException">No quorum in time; the message says which members are not serving.</exception>
    public async Task WaitForQuorumAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string? status = "not checked yet";
        try
        {
            await Poll.UntilAsync(
                async t => (status = await QuorumProblemAsync(t).ConfigureAwait(false)) is null,
                timeout,
                "the ensemble has a quorum",
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"the ensemble had no quorum within {timeout.TotalSeconds:0.#} s: {status}", e);
        }
    }

    /// <summary>
    /// The index in <see cref="Members"/> of the current leader, waiting (up to <see cref="ZooKeeperServerOptions.StartTimeout"/>)
    /// while an election is in progress.
    /// </summary>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <exception cref="TimeoutException">No single leader in time.</exception>
    public async Task<int> FindLeaderAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var leader = -1;
        await Poll.UntilAsync(
            async t =>
            {
                var modes = await GetModesAsync(t).ConfigureAwait(false);
                var leaders = Enumerable.Range(0, modes.Length).Where(i => modes[i] == "leader").ToList();
                leader = leaders.Count == 1 ? leaders[0] : -1;
                return leader >= 0;
            },
            _options.StartTimeout,
            "exactly one member is the leader",
            cancellationToken).ConfigureAwait(false);
        return leader;
    }

    /// <summary>Each member's <c>srvr</c> mode (null for a member that is stopped or not serving), in <see cref="Members"/> order.</summary>
    /// <param name="cancellationToken">Abandons the queries.</param>
    public Task<string?[]> GetModesAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_members.Select(m => m.GetModeAsync(cancellationToken)));

    /// <summary>Kills every member and deletes the ensemble's directory. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await Task.WhenAll(_members.Select(m => m.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
        finally
        {
            await ProcessJanitor.DeleteDirectoryAsync(RootDirectory).ConfigureAwait(false);
        }
    }

    private static ZooKeeperEnsemble Create(int size, ZooKeeperServerOptions options, ZooKeeperInstallation installation)
    {
        var root = ProcessJanitor.CreateDirectory("ensemble");
        var ports = Enumerable.Range(0, size).Select(_ => (Client: FreePorts.Next(), Peer: FreePorts.Next(), Election: FreePorts.Next())).ToArray();
        List<KeyValuePair<string, string>> shared =
        [
            // In ticks: 5 s to sync with a leader at start, 2.5 s before a silent follower is dropped.
            new("initLimit", "10"),
            new("syncLimit", "5"),
            .. ports.Select((p, i) => new KeyValuePair<string, string>(
                $"server.{i + 1}",
                FormattableString.Invariant($"127.0.0.1:{p.Peer}:{p.Election}"))),
        ];
        if (size == 1)
        {
            // Otherwise QuorumPeerMain quietly runs a single-server config as plain standalone.
            shared.Add(new("standaloneEnabled", "false"));
        }

        var members = new ZooKeeperServer[size];
        ZooKeeperEnsemble? ensemble = null;
        for (var i = 0; i < size; i++)
        {
            var directory = Path.Combine(root, "member-" + (i + 1).ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(directory);
            var host = new LocalServerHost(directory, ports[i].Client, shared, myId: i + 1, LocalServerHost.QuorumPeerMain, options, installation);

            // A member restarted while most of the others are down cannot serve, so it is then only awaited until it answers.
            members[i] = new ZooKeeperServer(host, options, serverId: i + 1, canServe: () => ensemble!.HasRunningMajority);
        }

        ensemble = new ZooKeeperEnsemble(root, options, members);
        return ensemble;
    }

    /// <summary>The start-time wait: like <see cref="WaitForQuorumAsync(TimeSpan, CancellationToken)"/>, but a member exiting fails at once, with log tails.</summary>
    private async Task WaitForStartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        string? problem = "not checked yet";
        try
        {
            while (true)
            {
                if (_members.FirstOrDefault(m => !m.IsRunning) is { } exited)
                {
                    throw await FailureAsync($"member {exited.ServerId} exited while the ensemble was starting").ConfigureAwait(false);
                }

                problem = await QuorumProblemAsync(deadline.Token).ConfigureAwait(false);
                if (problem is null)
                {
                    break;
                }

                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }

            foreach (var member in _members)
            {
                await member.VerifyIdentityAsync(deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw await FailureAsync($"no quorum within {timeout.TotalSeconds:0.#} s ({problem})").ConfigureAwait(false);
        }
    }

    private async Task<ZooKeeperStartException> FailureAsync(string reason)
    {
        var perMember = await Task.WhenAll(_members.Select(m => m.StartFailureAsync(reason, FailureLogLines))).ConfigureAwait(false);
        return new ZooKeeperStartException(
            $"ZooKeeper ensemble failed to start: {reason}.\n" + string.Join("\n", perMember.Select(f => f.Message)))
        {
            IsPortConflict = perMember.Any(f => f.IsPortConflict),
        };
    }

    /// <summary>Null when every running member serves and exactly one leads; otherwise what is wrong, for messages.</summary>
    private async Task<string?> QuorumProblemAsync(CancellationToken cancellationToken)
    {
        var modes = await GetModesAsync(cancellationToken).ConfigureAwait(false);
        var running = Enumerable.Range(0, _members.Length).Where(i => _members[i].IsRunning).ToList();
        if (running.Count == 0)
        {
            return "no member is running";
        }

        var notServing = running.Where(i => modes[i] is null).Select(i => _members[i].ServerId).ToList();
        if (notServing.Count > 0)
        {
            return $"member(s) {string.Join(", ", notServing)} not serving ({running.Count} of {_members.Length} running)";
        }

        var leaders = running.Count(i => modes[i] == "leader");
        return leaders == 1 ? null : $"{leaders} members report being the leader";
    }
}
