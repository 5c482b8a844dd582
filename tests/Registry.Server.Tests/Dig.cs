using System.Diagnostics;
using System.Globalization;

namespace Registry.Server.Tests;

/// <summary>dig (bind9-dnsutils) as a real DNS client, with its answer parsed into sections.</summary>
internal sealed record DigAnswer(string Status, IReadOnlyList<string> Flags, IReadOnlyList<string[]> Answer, IReadOnlyList<string[]> Authority, IReadOnlyList<string[]> Additional, string Output)
{
    /// <summary>Queries 127.0.0.1:<paramref name="port"/> without recursion, over UDP or TCP.</summary>
    public static async Task<DigAnswer> QueryAsync(int port, string name, string type, bool tcp = false, params string[] extra)
    {
        var start = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "@127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "+norec", "+noall", "+comments", "+answer", "+authority", "+additional", "+time=3", "+tries=2", tcp ? "+tcp" : "+notcp" }
            .Concat(extra).Concat([name, type]))
        {
            start.ArgumentList.Add(arg);
        }

        using var dig = Process.Start(start)!;
        var output = await dig.StandardOutput.ReadToEndAsync();
        await dig.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return Parse(output);
    }

    private static DigAnswer Parse(string output)
    {
        var status = "";
        var flags = new List<string>();
        var sections = new Dictionary<string, List<string[]>> { ["ANSWER"] = [], ["AUTHORITY"] = [], ["ADDITIONAL"] = [] };
        List<string[]>? current = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Contains("status: ", StringComparison.Ordinal))
            {
                status = line[(line.IndexOf("status: ", StringComparison.Ordinal) + 8)..].Split(',')[0];
            }
            else if (line.StartsWith(";; flags:", StringComparison.Ordinal))
            {
                flags.AddRange(line[9..].Split(';')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
            else if (line.StartsWith(";; ", StringComparison.Ordinal) && line.EndsWith("SECTION:", StringComparison.Ordinal))
            {
                current = sections.GetValueOrDefault(line[3..].Split(' ')[0]);
            }
            else if (line.Length > 0 && !line.StartsWith(';') && current is not null)
            {
                current.Add(line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
            }
        }

        return new DigAnswer(status, flags, sections["ANSWER"], sections["AUTHORITY"], sections["ADDITIONAL"], output);
    }

    /// <summary>The data fields (after owner, TTL, class, type) of the answer records of <paramref name="type"/>, joined by spaces and sorted.</summary>
    public IReadOnlyList<string> AnswerData(string type) =>
        [.. Answer.Where(r => r.Length > 4 && r[3] == type).Select(r => string.Join(' ', r.Skip(4))).Order(StringComparer.Ordinal)];

    public override string ToString() => Output;
}
