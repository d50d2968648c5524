using System.Globalization;
using System.IO.Compression;

namespace Coinlake.Storage.Internal;

/// <summary>Open-time parsing for files written by people and tools, and gzip-aware file opening.</summary>
internal static class TimeText
{
    /// <summary>Integers below this are seconds since the epoch, above it milliseconds (1e11 ms is March 1973).</summary>
    public const long SecondsLimit = 100_000_000_000;

    /// <summary>An integer open time: milliseconds, or seconds when below <see cref="SecondsLimit"/>.</summary>
    public static long FromInteger(long value) => Math.Abs(value) < SecondsLimit ? value * 1000 : value;

    /// <summary>
    /// Parses <c>2023-03-01T00:00:00Z</c>, <c>2023-03-01 00:00:00+00:00</c> (pandas), other ISO-8601 forms (no offset
    /// means UTC), or an integer of milliseconds (seconds when below 1e11) since the Unix epoch.
    /// </summary>
    /// <exception cref="FormatException">None of those; the message names <paramref name="where"/>.</exception>
    public static long Parse(string text, string where)
    {
        var trimmed = text.AsSpan().Trim();
        if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return FromInteger(integer);
        }

        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time.ToUnixTimeMilliseconds();
        }

        throw new FormatException($"{where}: '{text}' is not a time; write ISO-8601 UTC (2023-03-01T00:00:00Z) or milliseconds since the epoch.");
    }

    /// <summary>Opens a file for reading, decompressing it when its name ends with <c>.gz</c>.</summary>
    public static Stream OpenRead(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }
}
