using Registry.Core.Merge;

namespace Registry.Core.Selection;

/// <summary>
/// RFC 2782 target selection as a pure function of the answer and a random source (passed in, so tests seed it):
/// the lowest priority wins; among its endpoints one is drawn with probability proportional to its weight. As in
/// Go's <c>net.byPriorityWeight</c>, weight 0 is never drawn while a positive weight competes, and when every weight
/// is 0 the draw is uniform.
/// </summary>
public static class SrvSelection
{
    /// <summary>One endpoint of <paramref name="answer"/>, or null when it is empty.</summary>
    /// <param name="answer">The endpoints to choose from (a service's answer).</param>
    /// <param name="random">The random source.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Endpoint? Pick(IEnumerable<Endpoint> answer, Random random)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(random);
        var candidates = new List<Endpoint>();
        var lowest = int.MaxValue;
        foreach (var endpoint in answer)
        {
            if (endpoint.Priority < lowest)
            {
                lowest = endpoint.Priority;
                candidates.Clear();
            }

            if (endpoint.Priority == lowest)
            {
                candidates.Add(endpoint);
            }
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        long total = 0;
        foreach (var endpoint in candidates)
        {
            total += Math.Max(endpoint.Weight, 0);
        }

        if (total == 0)
        {
            return candidates[random.Next(candidates.Count)];
        }

        var draw = random.NextInt64(total);
        long sum = 0;
        foreach (var endpoint in candidates)
        {
            sum += Math.Max(endpoint.Weight, 0);
            if (sum > draw)
            {
                return endpoint;
            }
        }

        return candidates[^1]; // unreachable: draw < total
    }
}
