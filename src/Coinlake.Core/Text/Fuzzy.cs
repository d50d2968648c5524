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

    /// <summary>Edit distance between two strings (ordinal): insertions, deletions, substitutions and swaps of two adjacent characters each cost 1 (optimal string alignment).</summary>
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

        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var best = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    best = Math.Min(best, d[i - 2, j - 2] + 1);
                }

                d[i, j] = best;
            }
        }

        return d[a.Length, b.Length];
    }
}
