using Registry.ZooKeeper;

namespace Registry.Benchmarks;

/// <summary>What every benchmark subcommand does around its run: --help, option errors (exit 2), cancellation (130), failures (1).</summary>
internal static class BenchmarkCommand
{
    public static async Task<int> RunAsync<TOptions>(
        IReadOnlyList<string> args,
        string usage,
        Func<IReadOnlyList<string>, TOptions> parse,
        Func<TOptions, CancellationToken, Task> run,
        Action<string> progress,
        CancellationToken cancellationToken)
    {
        if (args is ["--help" or "-h"])
        {
            Console.WriteLine(usage);
            return 0;
        }

        TOptions options;
        try
        {
            options = parse(args);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        try
        {
            await run(options, cancellationToken);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            progress("cancelled");
            return 130;
        }
        catch (Exception e) when (e is KeeperException or InvalidOperationException or TimeoutException)
        {
            progress($"failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
