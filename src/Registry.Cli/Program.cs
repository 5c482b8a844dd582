using System.CommandLine;
using Registry.Cli;

var root = new RootCommand("registryctl: command line for Registry, the DNS-facing service registry on ZooKeeper.")
{
    RegisterCommand.Create(),
    TokenCommand.Create(),
    ZkCommands.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
