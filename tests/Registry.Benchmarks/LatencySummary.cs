using System.Diagnostics;

namespace Registry.Benchmarks;

/// <summary>Latency percentiles in microseconds, from <see cref="Stopwatch"/> tick counts.</summary>
internal readonly record struct LatencySummary(int Samples, double MeanUs, double P50Us, double P90Us, double P99Us, double MaxUs)
{
    public static LatencySummary FromTicks(long[] ticks)
    {
        ArgumentOutOfRangeException.ThrowIfZero(ticks.Length);
        var sorted = (long[])ticks.Clone();
        Array.Sort(sorted);
        double sum = 0;
        foreach (var t in sorted)
        {
            sum += t;
        }

        return new LatencySummary(
            sorted.Length,
            ToMicroseconds(sum / sorted.Length),
            Percentile(sorted, 500),
            Percentile(sorted, 900),
            Percentile(sorted, 990),
            ToMicroseconds(sorted[^1]));
    }

    // Nearest rank in integer arithmetic, the definition ZkClientBench.java uses (0.99 * 2000 is not 1980 in floating point).
    private static double Percentile(long[] sorted, int perMille)
    {
        var rank = ((long)perMille * sorted.Length + 999) / 1000;
        return ToMicroseconds(sorted[Math.Max(0, rank - 1)]);
    }

    private static double ToMicroseconds(double ticks) => ticks * 1_000_000 / Stopwatch.Frequency;
}
