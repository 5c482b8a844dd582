using Grpc.Core;
using Registry.Testing;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>The token file changes under a running server: a good change takes effect, a bad one is rejected with file:line and the last good tokens stay in force.</summary>
public sealed class WriteTokenReloadTests : IAsyncLifetime
{
    private const string OldToken = "old-token-5c0a91";
    private const string NewToken = "new-token-e27d48";
    private readonly TokenFileOnDisk _tokens = new((OldToken, "api"));
    private GrpcServerFixture _fixture = null!;

    public async Task InitializeAsync() => _fixture = await GrpcServerFixture.StartAsync("--auth-tokens", _tokens.Path);

    public async Task DisposeAsync()
    {
        await _fixture.DisposeAsync();
        _tokens.Dispose();
    }

    [Fact]
    public async Task A_bad_file_keeps_the_last_good_tokens_a_good_one_replaces_them_and_SIGHUP_reloads()
    {
        var server = _fixture.Server;
        Assert.Contains($"write tokens loaded (start) from {_tokens.Path}: 1 token(s)", server.Output, StringComparison.Ordinal);
        Assert.Equal(StatusCode.OK, await RegisterAsync(OldToken, "o1"));

        // Line 2 is broken: the whole file is rejected, the new token on line 1 with it.
        _tokens.WriteRaw($"{TokenFileTests.Line(NewToken)}  api\n{TokenFileTests.Line(OldToken)[..20]}  api\n");
        await Poll.UntilAsync(() => server.Output.Contains("write token reload rejected", StringComparison.Ordinal), WatchReader.Deadline, $"the bad file is rejected; output:\n{server.Output}");
        Assert.Contains($"write token file error: {_tokens.Path}:2: the line does not start with sha256:", server.Output, StringComparison.Ordinal);
        Assert.Equal(StatusCode.OK, await RegisterAsync(OldToken, "o2"));
        Assert.Equal(StatusCode.Unauthenticated, await RegisterAsync(NewToken, "n1"));

        // A good file replaces the set: the new token writes, the old one no longer does.
        _tokens.Write((NewToken, "api"));
        await Poll.UntilAsync(async _ => await RegisterAsync(NewToken, "n2") == StatusCode.OK, WatchReader.Deadline, $"the new token is taken; output:\n{server.Output}");
        Assert.Equal(StatusCode.Unauthenticated, await RegisterAsync(OldToken, "o3"));

        await server.SignalAsync("HUP");
        await Poll.UntilAsync(() => server.Output.Contains("write tokens loaded (SIGHUP)", StringComparison.Ordinal), WatchReader.Deadline, $"SIGHUP reloads the tokens; output:\n{server.Output}");
        Assert.Contains("zones reloaded (SIGHUP)", server.Output, StringComparison.Ordinal); // one signal, both files
        Assert.False(server.HasExited);
        Assert.Equal(StatusCode.OK, await RegisterAsync(NewToken, "n3"));
    }

    /// <summary>Registers <c>api</c>/<paramref name="id"/> with <paramref name="token"/>, ends the lease, and returns the status.</summary>
    private async Task<StatusCode> RegisterAsync(string token, string id)
    {
        using var call = _fixture.Client.Register(new Metadata { { "authorization", "Bearer " + token } });
        await call.RequestStream.WriteAsync(new V1.RegisterRequest { Instance = new V1.InstanceSpec { Service = "api", Id = id, Address = "10.4.4.4", Port = 80 } });
        try
        {
            Assert.True(await call.ResponseStream.MoveNext());
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
