using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Client.Tests;

/// <summary>AddRegistryRegistration in a real Generic Host against a real ZooKeeper.</summary>
public sealed class HostedRegistrationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private ZooKeeperServer _server = null!;

    public async Task InitializeAsync() => _server = await ZooKeeperServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Instances_register_when_the_app_starts_and_vanish_when_it_stops()
    {
        using var host = BuildHost(_server.ConnectString, Instance("i1"), Instance("i2"));
        await host.StartAsync();
        await host.Services.GetRequiredService<RegistrationHostedService>().Registered.WaitAsync(Deadline);

        await using var observer = await ZooKeeperClient.ConnectAsync(_server.ConnectString);
        Assert.Equal(["i1", "i2"], (await observer.GetChildrenAsync("/services/web")).Children.Order(StringComparer.Ordinal));

        await host.StopAsync();
        Assert.Empty((await ChildrenOrEmptyAsync(observer, "/services/web")));
    }

    [Fact]
    public async Task The_app_starts_while_zookeeper_is_down_and_registers_once_it_is_back()
    {
        await _server.KillAsync();
        using var host = BuildHost(_server.ConnectString, Instance("i1"));
        await host.StartAsync();
        var hosted = host.Services.GetRequiredService<RegistrationHostedService>();
        Assert.False(hosted.Registered.IsCompleted);

        await _server.StartAgainAsync();
        await hosted.Registered.WaitAsync(Deadline);
        await using var observer = await ZooKeeperClient.ConnectAsync(_server.ConnectString);
        Assert.NotNull(await observer.ExistsAsync("/services/web/i1"));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_refused_instance_is_reported_and_the_others_still_register()
    {
        using var host = BuildHost(_server.ConnectString, Instance("i1"), Instance("i1"), Instance("i2"));
        await host.StartAsync();
        var hosted = host.Services.GetRequiredService<RegistrationHostedService>();
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => hosted.Registered.WaitAsync(Deadline));
        Assert.Contains("already registered", refused.Message, StringComparison.Ordinal);

        await using var observer = await ZooKeeperClient.ConnectAsync(_server.ConnectString);
        await EventuallyAsync(async () => (await ChildrenOrEmptyAsync(observer, "/services/web")).Count == 2);
        await host.StopAsync();
    }

    [Fact]
    public async Task With_its_credential_and_acl_the_app_registers_under_its_locked_service_node()
    {
        IReadOnlyList<Acl> acl = [Acl.Digest(Permissions.All, "svc-web", "web-pw"), Acl.Digest(Permissions.Read, "registry", "registry-pw")];
        using var host = BuildHost(_server.ConnectString, o =>
        {
            o.Credentials = [AuthInfo.Digest("svc-web", "web-pw")];
            o.Acl = acl;
        }, Instance("i1"));
        await host.StartAsync();
        await host.Services.GetRequiredService<RegistrationHostedService>().Registered.WaitAsync(Deadline);

        // Locked: the registry's credential reads it, a session without one cannot even list it.
        await using var registry = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = _server.ConnectString, Credentials = [AuthInfo.Digest("registry", "registry-pw")] });
        Assert.Equal(["i1"], (await registry.GetChildrenAsync("/services/web")).Children);
        await using var stranger = await ZooKeeperClient.ConnectAsync(_server.ConnectString);
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetChildrenAsync("/services/web"));
        await host.StopAsync();
    }

    private static IHost BuildHost(string connectString, params ServiceInstance[] instances) => BuildHost(connectString, _ => { }, instances);

    private static IHost BuildHost(string connectString, Action<RegistryRegistrationOptions> configure, params ServiceInstance[] instances)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddRegistryRegistration(o =>
        {
            o.ConnectString = connectString;
            o.SessionTimeout = TimeSpan.FromSeconds(6);
            configure(o);
            foreach (var instance in instances)
            {
                o.Instances.Add(instance);
            }
        });
        return builder.Build();
    }

    private static async Task<IReadOnlyList<string>> ChildrenOrEmptyAsync(ZooKeeperClient zk, string path)
    {
        try
        {
            return (await zk.GetChildrenAsync(path)).Children;
        }
        catch (NoNodeException)
        {
            return [];
        }
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }

    private static ServiceInstance Instance(string id) => new()
    {
        Service = ServiceName.Parse("web"),
        Id = id,
        Address = "127.0.0.1",
        Port = 8080,
    };
}
