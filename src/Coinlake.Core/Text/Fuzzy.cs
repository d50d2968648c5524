namespace Coinlake.Text;

/// <summary>Nearest-name suggestions for error messages ("did you mean ...").</summary>
public static class Fuzzy
{
    /// <summary>
    /// The <paramref name="count"/> candidates closest to <paramref name="input"/> by case-insensitive edit distance,
    /// closest first; candidates further than half the input's length (at least 3 edits) are dropped unless
    /// nothing closer exists.
    /// </summary>
    public static IReadOnlyList<string> Closest(string input, IEnumerable<string> candidates, int count = 3)
    {
        var needle = input.ToUpperInvariant();
        var scored = candidates
            .Distinct(StringComparer.Ordinal)
            .Select(c => (Candidate: c, Distance: Distance(needle, c.ToUpperInvariant())))
            .OrderBy(x => x.Distance)
            .ThenBy(x => x.Candidate, StringComparer.Ordinal)
            .ToList();
        var limit = Math.Max(3, needle.Length / 2);
        var near = scored.Where(x => x.Distance <= limit).Take(count).Select(x => x.Candidate).ToList();
        return near.Count > 0 ? near : scored.Take(count).Select(x => x.Candidate).ToList();
    }

    /// <summary>Levenshtein distance between two strings (ordinal).</summary>
    public static int Distance(string a, string b)
    {
        if (a.Length == 0)
        {
            return b.Length;
        }

        if (b.Length == 0)
        {
            return a.Length;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
