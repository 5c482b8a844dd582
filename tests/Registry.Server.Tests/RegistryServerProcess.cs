using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Registry.Testing;
using Registry.Testing.Internal;

namespace Registry.Server.Tests;

/// <summary>registry-server as a real process on a free loopback port, with its output kept for assertions and failure messages.</summary>
internal sealed class RegistryServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;

    private RegistryServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>The DNS facade's port (UDP and TCP on 127.0.0.1); 0 when the test chose its own.</summary>
    public int DnsPort { get; private init; }

    /// <summary>The gRPC port (HTTP/2 cleartext on 127.0.0.1); 0 when the test chose its own.</summary>
    public int GrpcPort { get; private init; }

    /// <summary>The gRPC address, for a <c>GrpcChannel</c>.</summary>
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the server wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the server with <paramref name="args"/> and <c>--listen</c> on a free port; does not wait.</summary>
    public static RegistryServerProcess Start(IReadOnlyList<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var port = FreePorts.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Every server gets its own DNS port too, so that test classes running in parallel never share one.
        var dnsPort = 0;
        if (environment?.ContainsKey("REGISTRY_DNS_LISTEN") != true && !args.Contains("--dns-listen"))
        {
            dnsPort = FreePorts.Next();
            start.ArgumentList.Add("--dns-listen");
            start.ArgumentList.Add($"127.0.0.1:{dnsPort}");
        }

        // And its own gRPC port, for the same reason.
        var grpcPort = 0;
        if (environment?.ContainsKey("REGISTRY_GRPC_LISTEN") != true && !args.Contains("--grpc-listen"))
        {
            grpcPort = FreePorts.Next();
            start.ArgumentList.Add("--grpc-listen");
            start.ArgumentList.Add($"http://127.0.0.1:{grpcPort}");
        }

        if (environment?.ContainsKey("REGISTRY_LISTEN") != true)
        {
            start.ArgumentList.Add("--listen");
            start.ArgumentList.Add($"http://127.0.0.1:{port}");
        }
        else
        {
            port = new Uri(environment["REGISTRY_LISTEN"]).Port;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new RegistryServerProcess(Process.Start(start)!, port) { DnsPort = dnsPort, GrpcPort = grpcPort };
    }

    /// <summary>Runs the server to its end (for settings errors and --help) and returns its exit code and output.</summary>
    public static async Task<(int Code, string Output)> RunToEndAsync(IReadOnlyList<string> args, IDictionary<string, string>? environment = null)
    {
        await using var server = Start(args, environment);
        await server._process.WaitForExitAsync().WaitAsync(ReadyTimeout);
        server._process.WaitForExit(); // drains the redirected output
        return (server.ExitCode, server.Output);
    }

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "registry-server.dll");

    /// <summary>Waits until <c>/readyz</c> answers 200 (registrations known); fails with the server's output if it exits first.</summary>
    public Task WaitReadyAsync() => WaitForAsync("/readyz");

    /// <summary>Waits until <c>/healthz</c> answers 200 (serving, registrations known or not).</summary>
    public Task WaitServingAsync() => WaitForAsync("/healthz");

    private async Task WaitForAsync(string probe)
    {
        await Poll.UntilAsync(
            async ct =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"registry-server exited with {_process.ExitCode}:\n{Output}");
                }

                using var response = await _http.GetAsync(probe, ct);
                return response.StatusCode == HttpStatusCode.OK;
            },
            ReadyTimeout,
            $"registry-server on port {Port} answers {probe}; output so far:\n{Output}");
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return json;
    }

    public async Task<HttpResponseMessage> GetAsync(string path) => await _http.GetAsync(path);

    /// <summary>Waits until <paramref name="condition"/> holds for <c>GET /v1/services/{service}</c> (a 404 counts as no endpoint).</summary>
    public Task UntilServiceAsync(string service, Func<ServiceView, bool> condition, TimeSpan timeout, string description) =>
        Poll.UntilAsync(async _ => condition(await GetServiceAsync(service)), timeout, $"{description}; server output:\n{Output}");

    public async Task<ServiceView> GetServiceAsync(string service)
    {
        var json = await GetJsonAsync($"/v1/services/{service}");
        return new ServiceView(json);
    }

    public Task SignalAsync(string signal) => KillAsync(signal, Pid);

    /// <summary>SIGTERM, then waits for the exit.</summary>
    public async Task StopAsync()
    {
        await SignalAsync("TERM");
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _http.Dispose();
    }

    internal static async Task KillAsync(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

/// <summary>A <c>GET /v1/services/{name}</c> answer, with the questions tests ask of it.</summary>
internal sealed class ServiceView(JsonElement json)
{
    public JsonElement Json { get; } = json;

    public bool Found => Json.TryGetProperty("services", out _);

    public bool Stale => Json.GetProperty("view").GetProperty("stale").GetBoolean();

    public string Revision => Json.GetProperty("view").GetProperty("revision").GetString()!;

    public JsonElement Service => Json.GetProperty("services")[0];

    public IEnumerable<JsonElement> Endpoints => Found ? Service.GetProperty("endpoints").EnumerateArray() : [];

    /// <summary>The SRV targets in the answer, sorted.</summary>
    public IReadOnlyList<string> Answer => [.. Endpoints.Where(e => e.GetProperty("inAnswer").GetBoolean()).Select(e => e.GetProperty("target").GetString()!).Order(StringComparer.Ordinal)];

    /// <summary>The registered instance ids, sorted.</summary>
    public IReadOnlyList<string> Registered => [.. Endpoints
        .Where(e => e.GetProperty("registration").ValueKind == JsonValueKind.Object)
        .Select(e => e.GetProperty("registration").GetProperty("id").GetString()!)
        .Order(StringComparer.Ordinal)];

    /// <summary>The sessions of the registered endpoints, in instance id order.</summary>
    public IReadOnlyList<string> Sessions => [.. Endpoints
        .Where(e => e.GetProperty("registration").ValueKind == JsonValueKind.Object)
        .Select(e => e.GetProperty("registration"))
        .OrderBy(r => r.GetProperty("id").GetString(), StringComparer.Ordinal)
        .Select(r => r.GetProperty("session").GetString()!)];

    public string? StateOf(string target) =>
        Endpoints.Where(e => e.GetProperty("target").GetString() == target).Select(e => e.GetProperty("state").GetString()).FirstOrDefault();

    public override string ToString() => Json.ToString();
}
