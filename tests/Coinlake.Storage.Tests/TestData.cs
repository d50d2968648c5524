using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Storage.Tests;

/// <summary>Loads the real candle files of shared/data/klines (COINLAKE_TESTDATA, else found by walking up).</summary>
internal static class TestData
{
    private static readonly Lazy<string> Root = new(FindRoot);
    private static readonly Lazy<IReadOnlyList<Candle>> BinanceUs = new(LoadBinanceUs);
    private static readonly Lazy<IReadOnlyList<Candle>> Freqtrade = new(LoadFreqtrade);

    public static SeriesKey BinanceUsSeries { get; } = new("binanceus", Symbol.Parse("BTC/USDT"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);

    public static SeriesKey FreqtradeSeries { get; } = new("binance", Symbol.Parse("UNITTEST/BTC"), MarketType.Spot, Timeframe.OneMinute, PriceType.Last);

    public static string Klines(string file) => Path.Combine(Root.Value, "klines", file);

    /// <summary>30,240 Binance.US BTC/USDT 1m candles, 2023-03-01 to 2023-03-21, no gaps.</summary>
    public static IReadOnlyList<Candle> BinanceUsCandles => BinanceUs.Value;

    /// <summary>13,681 Binance UNITTEST/BTC 1m candles of Nov 2017 with 538 natural gaps.</summary>
    public static IReadOnlyList<Candle> FreqtradeCandles => Freqtrade.Value;

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("COINLAKE_TESTDATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env))
        {
            return env;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("Test data not found: set COINLAKE_TESTDATA to the shared/data folder.");
    }

    private static List<Candle> LoadBinanceUs()
    {
        var candles = new List<Candle>(30_240);
        foreach (var line in File.ReadLines(Klines("binanceus-BTCUSDT-1m-2023-03-01_2023-03-21.csv")).Skip(1))
        {
            var f = line.Split(',');
            candles.Add(new Candle(
                DateTimeOffset.Parse(f[0], CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                Dec(f[1]), Dec(f[2]), Dec(f[3]), Dec(f[4]), Dec(f[5])));
        }

        return candles;
    }

    private static List<Candle> LoadFreqtrade()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Klines("freqtrade-UNITTEST_BTC-1m.json")));
        return [.. doc.RootElement.EnumerateArray().Select(a => new Candle(
            a[0].GetInt64(), a[1].GetDecimal(), a[2].GetDecimal(), a[3].GetDecimal(), a[4].GetDecimal(), a[5].GetDecimal()))];
    }

    private static decimal Dec(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "coinlake-storage-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public IEnumerable<string> AllFiles() => Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
