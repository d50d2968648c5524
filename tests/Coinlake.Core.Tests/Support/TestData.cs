using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;

namespace Coinlake.Core.Tests.Support;

/// <summary>
/// Finds the shared real-data folder: the <c>COINLAKE_TESTDATA</c> environment variable when set, else the first
/// <c>shared/data</c> folder met walking up from <see cref="AppContext.BaseDirectory"/>. Data is read in place,
/// never copied into the repository.
/// </summary>
internal static class TestData
{
    public const string EnvironmentVariable = "COINLAKE_TESTDATA";

    public const string FreqtradeBtc1m = "klines/freqtrade-UNITTEST_BTC-1m.json";

    public const string BinanceUsBtcUsdt1m = "klines/binanceus-BTCUSDT-1m-2023-03-01_2023-03-21.csv";

    private static readonly Lazy<string?> _root = new(FindRoot);

    /// <summary>The data folder, or null when neither the variable nor a <c>shared/data</c> folder exists.</summary>
    public static string? Root => _root.Value;

    /// <summary>Full path of <paramref name="relativePath"/> under the data folder, or null when it is absent.</summary>
    public static string? Find(string relativePath)
    {
        if (Root is null)
        {
            return null;
        }

        var path = Path.Combine(Root, relativePath);
        return File.Exists(path) ? path : null;
    }

    /// <summary>Full path of a data file that must exist (tests using it carry <see cref="DataFactAttribute"/>).</summary>
    public static string Require(string relativePath) =>
        Find(relativePath) ?? throw new FileNotFoundException(MissingMessage(relativePath), relativePath);

    public static string MissingMessage(string relativePath) =>
        $"Test data file '{relativePath}' not found: set {EnvironmentVariable} to the shared data folder "
        + $"(e.g. /work/shared/data) or run from a checkout that has shared/data above it (searched from {AppContext.BaseDirectory}).";

    /// <summary>Loads a freqtrade kline file: JSON <c>[[open_time_ms, o, h, l, c, v], ...]</c> with numbers.</summary>
    public static List<Candle> LoadFreqtradeCandles(string relativePath)
    {
        using var stream = File.OpenRead(Require(relativePath));
        using var document = JsonDocument.Parse(stream);
        var candles = new List<Candle>(document.RootElement.GetArrayLength());
        foreach (var row in document.RootElement.EnumerateArray())
        {
            candles.Add(new Candle(
                row[0].GetInt64(),
                row[1].GetDecimal(),
                row[2].GetDecimal(),
                row[3].GetDecimal(),
                row[4].GetDecimal(),
                row[5].GetDecimal()));
        }

        return candles;
    }

    /// <summary>
    /// Loads the pandas-written Binance.US CSV: header <c>open_time,open,high,low,close,volume</c>, time as
    /// <c>2023-03-01 00:00:00+00:00</c>, a few volumes in exponent notation (<c>5.4e-05</c>).
    /// </summary>
    public static List<Candle> LoadBinanceUsCsv(string relativePath)
    {
        var candles = new List<Candle>();
        using var reader = new StreamReader(Require(relativePath));
        var header = reader.ReadLine();
        if (!string.Equals(header, "open_time,open,high,low,close,volume", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{relativePath}: unexpected header '{header}'.");
        }

        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var f = line.Split(',');
            candles.Add(new Candle(
                DateTimeOffset.Parse(f[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds(),
                ParseDecimal(f[1]),
                ParseDecimal(f[2]),
                ParseDecimal(f[3]),
                ParseDecimal(f[4]),
                ParseDecimal(f[5])));
        }

        return candles;
    }

    private static decimal ParseDecimal(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string? FindRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment) ? fromEnvironment : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs a real data file; skipped, with a plain message saying which file, when it is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class DataFactAttribute : FactAttribute
{
    public DataFactAttribute(string relativePath)
    {
        if (TestData.Find(relativePath) is null)
        {
            Skip = TestData.MissingMessage(relativePath);
        }
    }
}
