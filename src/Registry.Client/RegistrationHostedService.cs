using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Discovery;
using Registry.ZooKeeper;

namespace Registry.Client;

/// <summary>
/// The hosted service behind <see cref="RegistryRegistrationExtensions.AddRegistryRegistration"/>. Registration
/// starts when the host reports the application started and retries until it succeeds or the application stops;
/// stopping closes the registrar's session, which deletes every registration at once.
/// </summary>
public sealed partial class RegistrationHostedService : IHostedService, IAsyncDisposable
{
    private readonly RegistryRegistrationOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly ServiceRegistrar _registrar;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _registering = Task.CompletedTask;
    private CancellationTokenRegistration _started;

    /// <summary>Created by dependency injection.</summary>
    public RegistrationHostedService(RegistryRegistrationOptions options, IHostApplicationLifetime lifetime, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _lifetime = lifetime;
        _logger = loggerFactory?.CreateLogger<RegistrationHostedService>() ?? NullLogger<RegistrationHostedService>.Instance;
        _registrar = new ServiceRegistrar(
            new ZooKeeperClientOptions
            {
                ConnectString = options.ConnectString,
                SessionTimeout = options.SessionTimeout,
                Credentials = options.Credentials,
                LoggerFactory = loggerFactory,
            },
            options.Layout,
            options.Acl);
    }

    /// <summary>Completes when every configured instance is registered.</summary>
    public Task Registered => _registered.Task;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = _lifetime.ApplicationStarted.Register(() => _registering = Task.Run(RegisterAllAsync, CancellationToken.None));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _started.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _registering.ConfigureAwait(false);
        await _registrar.DisposeAsync().ConfigureAwait(false);
        Log.Deregistered(_logger, _options.Instances.Count);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _registrar.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RegisterAllAsync()
    {
        var delay = TimeSpan.FromMilliseconds(200);
        var pending = _options.Instances.ToList();
        while (pending.Count > 0 && !_stopping.IsCancellationRequested)
        {
            var instance = pending[0];
            try
            {
                await _registrar.RegisterAsync(instance, _stopping.Token).ConfigureAwait(false);
                Log.Registered(_logger, instance.Service.Value, instance.Id);
                pending.RemoveAt(0);
                delay = TimeSpan.FromMilliseconds(200);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is ArgumentException or KeeperException { IsRetryable: false, IsSessionFatal: false })
            {
                // Refused for good (an invalid or duplicate instance, NoAuth from the service node's ACL): retrying
                // cannot help; the others still register.
                Log.RegisterRefused(_logger, instance.Service.Value, instance.Id, ex.Message);
                _registered.TrySetException(ex);
                pending.RemoveAt(0);
            }
            catch (Exception ex) when (ex is KeeperException or TimeoutException)
            {
                // ZooKeeper unreachable: keep trying while the application runs.
                Log.RegisterFailed(_logger, instance.Service.Value, instance.Id, ex.Message, delay);
                try
                {
                    await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }

        if (pending.Count == 0)
        {
            _registered.TrySetResult();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Information, "Registered {Service}/{Id}")]
        public static partial void Registered(ILogger logger, string service, string id);

        [LoggerMessage(3002, LogLevel.Warning, "Registering {Service}/{Id} failed ({Reason}); retrying in {Delay}")]
        public static partial void RegisterFailed(ILogger logger, string service, string id, string reason, TimeSpan delay);

        [LoggerMessage(3004, LogLevel.Error, "Registering {Service}/{Id} was refused: {Reason}")]
        public static partial void RegisterRefused(ILogger logger, string service, string id, string reason);

        [LoggerMessage(3003, LogLevel.Information, "Deregistered {Count} instance(s)")]
        public static partial void Deregistered(ILogger logger, int count);
    }
}
