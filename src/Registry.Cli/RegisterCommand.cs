using System.CommandLine;
using System.Net;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Discovery;
using Registry.ZooKeeper;

namespace Registry.Cli;

/// <summary>
/// <c>registryctl register SERVICE --port N ...</c>: registers one instance and keeps it registered until interrupted
/// (Ctrl+C or SIGTERM deregisters at once; a kill leaves it until the session times out, as a crash would).
/// </summary>
internal static class RegisterCommand
{
    public static Command Create()
    {
        var service = new Argument<string>("service") { Description = "Service name (a DNS label), e.g. web" };
        var id = new Option<string>("--id") { Description = "Instance id (a DNS label; default: this host's name and the process id)" };
        var address = new Option<string>("--address") { Description = "IP address or host name clients connect to (default: this host's name)" };
        var port = new Option<int>("--port", "-p") { Description = "Port of the service", Required = true };
        var priority = new Option<int?>("--priority") { Description = "SRV priority (default: the zone file's, else 10)" };
        var weight = new Option<int?>("--weight") { Description = "SRV weight (default: the zone file's, else 10)" };
        var protocol = new Option<string>("--protocol") { Description = "tcp or udp", DefaultValueFactory = _ => "tcp" };
        var hostname = new Option<string>("--hostname") { Description = "SRV target to publish instead of the generated <id>.<service>.<zone>" };
        var draining = new Option<bool>("--draining") { Description = "Register as DRAINING (visible, not in answers)" };

        var command = new Command("register", "Register one instance until interrupted (Ctrl+C/SIGTERM deregisters at once)")
        {
            service, id, address, port, priority, weight, protocol, hostname, draining,
            ZkConnection.ConnectString, ZkConnection.AuthFile, ZkConnection.SessionTimeout, ZkConnection.Verbose,
        };
        command.SetAction(async (p, ct) =>
        {
            ServiceInstance instance;
            IReadOnlyList<AuthInfo> credentials;
            try
            {
                credentials = ZkConnection.Credentials(p);
                instance = new ServiceInstance
                {
                    Service = ServiceName.Parse(p.GetValue(service)!),
                    Id = Check(p.GetValue(id) ?? $"{Dns.GetHostName().Split('.')[0]}-{Environment.ProcessId}", "--id"),
                    Address = p.GetValue(address) ?? Dns.GetHostName(),
                    Port = CheckPort(p.GetValue(port)),
                    Priority = p.GetValue(priority),
                    Weight = p.GetValue(weight),
                    Protocol = p.GetValue(protocol) is "udp" ? "udp" : p.GetValue(protocol) is "tcp" ? "tcp" : throw new FormatException("--protocol must be tcp or udp"),
                    Hostname = p.GetValue(hostname),
                    Status = p.GetValue(draining) ? InstanceStatus.Draining : InstanceStatus.Up,
                    RegisteredAt = DateTimeOffset.UtcNow,
                };
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"registryctl: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            return await RunAsync(p, instance, credentials, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, ServiceInstance instance, IReadOnlyList<AuthInfo> credentials, CancellationToken cancellationToken)
    {
        // The registrar retries an unreachable ensemble for ever (right for a service); a command says so at once.
        ZooKeeperClient probe;
        Microsoft.Extensions.Logging.ILoggerFactory loggers;
        try
        {
            (probe, loggers) = await ZkConnection.OpenAsync(parse, cancellationToken).ConfigureAwait(false);
        }
        catch (KeeperException ex)
        {
            await Console.Error.WriteLineAsync($"registryctl: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        await probe.DisposeAsync().ConfigureAwait(false);
        using (loggers)
        {
            var registrar = new ServiceRegistrar(new ZooKeeperClientOptions
            {
                ConnectString = parse.GetValue(ZkConnection.ConnectString)!,
                SessionTimeout = parse.GetValue(ZkConnection.SessionTimeout),
                Credentials = credentials,
                LoggerFactory = loggers,
            });
            await using (registrar.ConfigureAwait(false))
            {
                try
                {
                    var registration = await registrar.RegisterAsync(instance, cancellationToken).ConfigureAwait(false);
                    Console.WriteLine($"registered {registration.Path} (session 0x{registrar.SessionId:x}); Ctrl+C to deregister");
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    Console.WriteLine($"deregistered {instance.Service}/{instance.Id}");
                    return 0;
                }
                catch (KeeperException ex)
                {
                    await Console.Error.WriteLineAsync($"registryctl: {ex.Message}").ConfigureAwait(false);
                    return 1;
                }
            }
        }

        return 0;
    }

    private static string Check(string value, string option) =>
        DnsLabel.Check(value) is { } error ? throw new FormatException($"{option} '{value}': {error}") : value;

    private static int CheckPort(int port) =>
        port is >= 1 and <= 65535 ? port : throw new FormatException($"--port {port} is outside 1..65535");
}
