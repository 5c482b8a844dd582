using Grpc.Core;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>
/// The two request size limits over real gRPC: above 64 KiB the registry refuses with InvalidArgument naming the method,
/// the size and the limit; above 4 MiB grpc-dotnet refuses with ResourceExhausted before the registry sees the message.
/// (Register's oversized messages are in <see cref="RegisterTests"/>, with what happens to the lease.)
/// </summary>
public sealed class GrpcRequestSizeTests : IAsyncLifetime
{
    private GrpcServerFixture _fixture = null!;

    public async Task InitializeAsync() => _fixture = await GrpcServerFixture.StartAsync();

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task An_oversized_unary_request_gets_InvalidArgument_naming_method_size_and_limit()
    {
        var client = _fixture.Client;

        // 70,000 bytes of name, 3 of length prefix and 1 of tag: CalculateSize's 70,004.
        var resolve = await Assert.ThrowsAsync<RpcException>(async () => await client.ResolveAsync(new V1.ResolveRequest { Name = new string('a', 70_000) }));
        Assert.Equal(StatusCode.InvalidArgument, resolve.StatusCode);
        Assert.Equal("Resolve: a request message of 70,004 bytes exceeds the 64 KiB limit", resolve.Status.Detail);

        var drift = await Assert.ThrowsAsync<RpcException>(async () => await client.GetDriftAsync(new V1.GetDriftRequest { Name = new string('a', 100_000) }));
        Assert.Equal(StatusCode.InvalidArgument, drift.StatusCode);
        Assert.StartsWith("GetDrift: ", drift.Status.Detail, StringComparison.Ordinal);
        Assert.EndsWith(" exceeds the 64 KiB limit", drift.Status.Detail, StringComparison.Ordinal);

        // Just under the limit the request reaches the service, which judges the name on its own.
        var underLimit = await Assert.ThrowsAsync<RpcException>(async () => await client.ResolveAsync(new V1.ResolveRequest { Name = new string('a', 60_000) }));
        Assert.Equal(StatusCode.InvalidArgument, underLimit.StatusCode);
        Assert.DoesNotContain("limit", underLimit.Status.Detail, StringComparison.Ordinal);

        // The refused name is quoted back cut short, with its length, not echoed whole.
        Assert.Contains("(60,000 characters) is not a service name", underLimit.Status.Detail, StringComparison.Ordinal);
        Assert.True(underLimit.Status.Detail.Length < 300, $"a {underLimit.Status.Detail.Length}-character status detail");
    }

    [Fact]
    public async Task An_oversized_Watch_request_gets_InvalidArgument_before_any_event()
    {
        // 10,000 filters of 13 characters (15 bytes each with tag and length): 150,000 bytes.
        var services = Enumerable.Range(0, 10_000).Select(i => $"service-{i:D5}").ToArray();
        using var watch = WatchReader.Open(_fixture.Client, null, services);
        var refused = await Assert.ThrowsAsync<RpcException>(() => watch.NextAsync());
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal("Watch: a request message of 150,000 bytes exceeds the 64 KiB limit", refused.Status.Detail);
    }

    [Fact]
    public async Task A_request_over_the_4_MiB_transport_ceiling_still_gets_ResourceExhausted()
    {
        var client = _fixture.Client;
        var huge = await Assert.ThrowsAsync<RpcException>(async () => await client.ResolveAsync(new V1.ResolveRequest { Name = new string('a', 5 * 1024 * 1024) }));
        Assert.Equal(StatusCode.ResourceExhausted, huge.StatusCode);
        Assert.Contains("maximum configured message size", huge.Status.Detail, StringComparison.Ordinal);

        // The server is unharmed: the next request is answered.
        var list = await client.ListServicesAsync(new V1.ListServicesRequest());
        Assert.Contains(list.Services, s => s.Name == "web");
    }
}
