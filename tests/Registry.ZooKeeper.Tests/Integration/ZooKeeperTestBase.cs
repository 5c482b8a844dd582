using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Registry.Testing;
using Xunit.Abstractions;

namespace Registry.ZooKeeper.Tests.Integration;

/// <summary>
/// Gives each test its own chroot on the shared server, clients that log into the test output, and disposes
/// everything the test opened even when it fails.
/// </summary>
public abstract class ZooKeeperTestBase : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposables = [];

    protected ZooKeeperTestBase(ZooKeeperFixture fixture, ITestOutputHelper output)
    {
        Server = fixture.Server;
        Output = output;
        Loggers = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Debug));
        Root = $"/test-{Guid.NewGuid():N}";
    }

    protected static TimeSpan Deadline { get; } = TimeSpan.FromSeconds(30);

    protected ZooKeeperServer Server { get; }

    protected ITestOutputHelper Output { get; }

    protected ILoggerFactory Loggers { get; }

    /// <summary>This test's chroot on the shared server.</summary>
    protected string Root { get; }

    public virtual async Task InitializeAsync()
    {
        await using var admin = await ZooKeeperClient.ConnectAsync(Server.ConnectString);
        await admin.CreateAsync(Root, default);
    }

    public virtual async Task DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }

        Loggers.Dispose();
    }

    protected T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>A client chrooted to this test's root (or to <paramref name="connectString"/> as given).</summary>
    protected async Task<ZooKeeperClient> ConnectAsync(
        string? connectString = null,
        TimeSpan? sessionTimeout = null,
        long sessionId = 0,
        ReadOnlyMemory<byte> sessionPassword = default,
        IWatcher? sessionWatcher = null,
        IReadOnlyList<AuthInfo>? credentials = null)
    {
        var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            Credentials = credentials ?? [],
            ConnectString = connectString ?? Server.ConnectString + Root,
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(10),
            SessionId = sessionId,
            SessionPassword = sessionPassword,
            SessionWatcher = sessionWatcher,
            LoggerFactory = Loggers,
            InitialConnectTimeout = Deadline,
        });
        return Track(client);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="description"/> at the deadline.</summary>
    protected static async Task EventuallyAsync(Func<Task<bool>> condition, string description, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Deadline);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for: {description}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A watcher that queues what it receives, for tests to await in order.</summary>
    protected sealed class RecordingWatcher : IWatcher
    {
        private readonly Channel<WatchedEvent> _events = Channel.CreateUnbounded<WatchedEvent>();

        public ValueTask ProcessAsync(WatchedEvent watchedEvent)
        {
            _events.Writer.TryWrite(watchedEvent);
            return ValueTask.CompletedTask;
        }

        public async Task<WatchedEvent> NextAsync(TimeSpan? timeout = null, [CallerArgumentExpression(nameof(timeout))] string? _ = null)
        {
            using var cts = new CancellationTokenSource(timeout ?? Deadline);
            return await _events.Reader.ReadAsync(cts.Token);
        }

        /// <summary>Waits for the next event that satisfies <paramref name="match"/>, skipping others.</summary>
        public async Task<WatchedEvent> NextMatchingAsync(Func<WatchedEvent, bool> match, TimeSpan? timeout = null)
        {
            using var cts = new CancellationTokenSource(timeout ?? Deadline);
            while (true)
            {
                var next = await _events.Reader.ReadAsync(cts.Token);
                if (match(next))
                {
                    return next;
                }
            }
        }

        /// <summary>True when nothing more arrives within <paramref name="quiet"/> (after the caller synced, so events already sent are in).</summary>
        public async Task<bool> IsQuietAsync(TimeSpan quiet)
        {
            using var cts = new CancellationTokenSource(quiet);
            try
            {
                await _events.Reader.WaitToReadAsync(cts.Token);
                return false;
            }
            catch (OperationCanceledException)
            {
                return true;
            }
        }
    }
}
