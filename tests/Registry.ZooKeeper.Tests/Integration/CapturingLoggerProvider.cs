using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Registry.ZooKeeper.Tests.Integration;

/// <summary>Collects every formatted log line, for tests that assert on what the client logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    public ChannelReader<string> Lines => _lines.Reader;

    public ILogger CreateLogger(string categoryName) => new Logger(_lines.Writer);

    /// <summary>Waits for a line containing <paramref name="text"/>, skipping others.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var line = await _lines.Reader.ReadAsync(deadline.Token);
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(ChannelWriter<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.TryWrite(formatter(state, exception));
    }
}
