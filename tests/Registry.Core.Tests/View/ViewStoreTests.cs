using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Core.View;

namespace Registry.Core.Tests.View;

public sealed class ViewStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "registry-store-" + Guid.NewGuid().ToString("N"));

    public ViewStoreTests() => Directory.CreateDirectory(_root);

    private string FilePath => Path.Combine(_root, "view.json");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Round_trip_keeps_instances_sources_and_zxid()
    {
        var state = Sample();

        await ViewStore.SaveAsync(FilePath, state);
        var loaded = await ViewStore.LoadAsync(FilePath);

        Assert.NotNull(loaded);
        Assert.Equal(0x1a2bL, loaded.Zxid);
        Assert.Equal(state.Services.Keys.Order(), loaded.Services.Keys.Order());
        foreach (var (service, instances) in state.Services)
        {
            var expected = instances.OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
            var actual = loaded.Services[service];
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                // Records compare their dictionaries by reference, so compare the encodings plus what they leave out.
                Assert.Equal(ServiceInstanceCodec.Encode(expected[i]), ServiceInstanceCodec.Encode(actual[i]));
                Assert.Equal(expected[i].Source, actual[i].Source);
                Assert.Equal(expected[i] with { Ports = actual[i].Ports, Metadata = actual[i].Metadata }, actual[i]);
            }
        }
    }

    [Fact]
    public async Task Equal_states_write_equal_files()
    {
        var state = Sample();
        var reversed = new RegistrationState(state.Services.Reverse().ToDictionary(p => p.Key, p => (IReadOnlyList<ServiceInstance>)[.. p.Value.Reverse()]), state.Zxid);
        var other = Path.Combine(_root, "other.json");

        await ViewStore.SaveAsync(FilePath, state);
        await ViewStore.SaveAsync(other, reversed);

        Assert.Equal(await File.ReadAllBytesAsync(FilePath), await File.ReadAllBytesAsync(other));
        Assert.StartsWith("{\"format\":1,\"zxid\":6699,\"services\":{", await File.ReadAllTextAsync(FilePath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_replaces_the_file_and_leaves_no_temporary_file()
    {
        await ViewStore.SaveAsync(FilePath, Sample());
        await ViewStore.SaveAsync(FilePath, RegistrationState.Empty);

        Assert.Equal(["view.json"], Directory.GetFiles(_root).Select(Path.GetFileName));
        var loaded = await ViewStore.LoadAsync(FilePath);
        Assert.NotNull(loaded);
        Assert.Empty(loaded.Services);
        Assert.Equal(0, loaded.Zxid);
    }

    [Fact]
    public async Task Cancelled_save_leaves_the_old_file_and_no_temporary_file()
    {
        await ViewStore.SaveAsync(FilePath, Sample());
        var before = await File.ReadAllBytesAsync(FilePath);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ViewStore.SaveAsync(FilePath, RegistrationState.Empty, new CancellationToken(canceled: true)));

        Assert.Equal(["view.json"], Directory.GetFiles(_root).Select(Path.GetFileName));
        Assert.Equal(before, await File.ReadAllBytesAsync(FilePath));
    }

    [Fact]
    public async Task Save_into_a_missing_directory_throws_and_writes_nothing()
    {
        var path = Path.Combine(_root, "missing", "view.json");

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ViewStore.SaveAsync(path, Sample()));

        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public async Task A_missing_file_or_directory_is_null()
    {
        Assert.Null(await ViewStore.LoadAsync(FilePath));
        Assert.Null(await ViewStore.LoadAsync(Path.Combine(_root, "no", "such", "view.json")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{not json")]
    [InlineData("[]")]
    [InlineData("{\"zxid\":1,\"services\":{}}")]
    [InlineData("{\"format\":2,\"zxid\":1,\"services\":{}}")]
    [InlineData("{\"format\":1,\"services\":{}}")]
    [InlineData("{\"format\":1,\"zxid\":1,\"services\":{\"web\":{}}}")]
    [InlineData("{\"format\":1,\"zxid\":1,\"services\":{\"web\":[{\"id\":\"a\",\"instance\":{\"name\":\"other\",\"id\":\"a\"}}]}}")]
    [InlineData("{\"format\":1,\"zxid\":1,\"services\":{\"bad name!\":[]}}")]
    public async Task A_corrupt_or_unknown_file_throws_naming_the_file(string content)
    {
        await File.WriteAllTextAsync(FilePath, content);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ViewStore.LoadAsync(FilePath));

        Assert.Contains(FilePath, e.Message, StringComparison.Ordinal);
    }

    private static RegistrationState Sample()
    {
        var web = ServiceName.Parse("web");
        var api = ServiceName.Parse("Api");
        return new RegistrationState(
            new Dictionary<ServiceName, IReadOnlyList<ServiceInstance>>
            {
                [web] =
                [
                    new ServiceInstance
                    {
                        Service = web,
                        Id = "b",
                        Address = "10.0.0.2",
                        Port = 8080,
                        Priority = 5,
                        Weight = 50,
                        Status = InstanceStatus.Draining,
                        Metadata = new Dictionary<string, string> { ["zone"] = "eu-1" },
                        Ports = new Dictionary<string, int> { ["admin"] = 9090 },
                        RegisteredAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123),
                        Source = new ZnodeSource("/services/web/b", 0x1234, 0x10, 0x11),
                    },
                    new ServiceInstance { Service = web, Id = "a", Address = "10.0.0.1", Port = 8080, Source = new ZnodeSource("/services/web/a", 0x1234, 0x12, 0x12) },
                ],
                [api] = [new ServiceInstance { Service = api, Id = "x", Address = "api.hosts.example.", Port = 53, Protocol = "udp" }],
                [ServiceName.Parse("idle")] = [],
            },
            0x1a2b);
    }
}
