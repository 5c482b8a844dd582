using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Registry.Discovery.Tests;

/// <summary>A logger factory that keeps every line with its event id, for tests that assert on what was logged (and how often).</summary>
internal sealed class RecordingLoggers : ILoggerFactory
{
    private readonly ConcurrentQueue<(int EventId, string Message)> _lines = new();

    /// <summary>The messages logged with <paramref name="eventId"/>, in order.</summary>
    public IReadOnlyList<string> Messages(int eventId) => [.. _lines.Where(l => l.EventId == eventId).Select(l => l.Message)];

    public ILogger CreateLogger(string categoryName) => new Logger(_lines);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<(int, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((eventId.Id, formatter(state, exception)));
    }
}
