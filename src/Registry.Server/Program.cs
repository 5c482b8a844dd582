using Registry.Server;
using Registry.Server.Configuration;

return await ServerCommandLine.Create(ServerHost.RunAsync).Parse(args).InvokeAsync().ConfigureAwait(false);
