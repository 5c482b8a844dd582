using System.CommandLine;
using Microsoft.Extensions.Configuration;

namespace Registry.Server.Configuration;

/// <summary>
/// The command line: one option per <see cref="Setting"/>, plus <c>--config</c>. It only collects values; parsing and
/// validation are <see cref="ServerOptionsReader"/>'s, so a value means the same from every source.
/// </summary>
internal static class ServerCommandLine
{
    public static RootCommand Create(Func<IConfiguration, CancellationToken, Task<int>> run)
    {
        var config = new Option<string>("--config")
        {
            Description = "JSON settings file (like appsettings.json) read over appsettings.json of the working directory [env: REGISTRY_CONFIG]",
        };
        var options = Settings.All.ToDictionary(s => s, s =>
        {
            var option = s.Alias is null ? new Option<string>(s.Option) : new Option<string>(s.Option, s.Alias);
            option.Description = $"{s.Description} [env: {s.EnvironmentVariable}]" + (s.Default is null ? "" : $" [default: {s.Default}]");
            return option;
        });

        var root = new RootCommand(
            "registry-server: merges live ZooKeeper registrations with the zone files' intent and serves the merged view.\n"
            + "Settings come from the command line, then REGISTRY_* environment variables, then the \"Registry\" section of "
            + "appsettings.json (or --config), then the defaults.");
        root.Options.Add(config);
        foreach (var option in options.Values)
        {
            root.Options.Add(option);
        }

        root.SetAction((parse, cancellationToken) =>
        {
            var builder = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath("appsettings.json"), optional: true, reloadOnChange: false);
            if ((parse.GetValue(config) ?? Environment.GetEnvironmentVariable("REGISTRY_CONFIG")) is { Length: > 0 } file)
            {
                builder.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
            }

            builder.AddInMemoryCollection(Settings.All
                .Where(s => Environment.GetEnvironmentVariable(s.EnvironmentVariable) is { Length: > 0 })
                .Select(s => KeyValuePair.Create(s.ConfigurationKey, Environment.GetEnvironmentVariable(s.EnvironmentVariable))));
            builder.AddInMemoryCollection(options
                .Where(o => parse.GetResult(o.Value) is not null)
                .Select(o => KeyValuePair.Create(o.Key.ConfigurationKey, parse.GetValue(o.Value))));
            IConfiguration configuration;
            try
            {
                configuration = builder.Build();
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or FormatException)
            {
                Console.Error.WriteLine($"registry-server: {e.Message}");
                return Task.FromResult(ExitCodes.BadSettings);
            }

            return run(configuration, cancellationToken);
        });
        return root;
    }
}
