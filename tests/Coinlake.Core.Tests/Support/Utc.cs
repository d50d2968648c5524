using System.Globalization;

namespace Coinlake.Core.Tests.Support;

/// <summary>Readable UTC instants for test data, as ms since the Unix epoch.</summary>
internal static class Utc
{
    /// <summary>Ms UTC of an ISO-8601 text such as <c>2023-02-27T00:00:00Z</c> (no offset means UTC).</summary>
    public static long Ms(string iso) =>
        DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            .ToUnixTimeMilliseconds();

    /// <summary>Ms UTC of a calendar instant.</summary>
    public static long Ms(int year, int month, int day, int hour = 0, int minute = 0, int second = 0, int millisecond = 0) =>
        new DateTimeOffset(year, month, day, hour, minute, second, millisecond, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>The instant as a UTC <see cref="DateTimeOffset"/>.</summary>
    public static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
