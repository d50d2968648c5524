using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Coinlake.Markets;
using Coinlake.Tickers;
using Coinlake.Trades;

namespace Coinlake.Storage.Tests;

/// <summary>Loads the real trade and ticker data of shared/data (trades/, captures/), independently of the product's parsers.</summary>
internal static class TradeTestData
{
    private static readonly Lazy<IReadOnlyList<Trade>> XrpEth = new(LoadXrpEth);
    private static readonly Lazy<IReadOnlyList<Trade>> Kraken = new(LoadKraken);
    private static readonly Lazy<IReadOnlyList<Ticker>> Okx = new(LoadOkxTickers);

    public static TradeSeriesKey XrpEthSeries { get; } = new("binance", Symbol.Parse("XRP/ETH"), MarketType.Spot);

    public static TradeSeriesKey KrakenSeries { get; } = new("kraken", Symbol.Parse("BCH/EUR"), MarketType.Spot);

    public static string Trades(string file) => Path.Combine(Path.GetDirectoryName(TestData.Klines("x"))!, "..", "trades", file);

    /// <summary>12,477 Binance XRP/ETH trades (freqtrade test data), in file order (timestamp then id).</summary>
    public static IReadOnlyList<Trade> XrpEthTrades => XrpEth.Value;

    /// <summary>Kraken BCH/EUR trades (ts in seconds, no ids: ids are the 1-based line numbers), in file order.</summary>
    public static IReadOnlyList<Trade> KrakenTrades => Kraken.Value;

    /// <summary>OKX BTC/USDT spot ticker snapshots from the cryptofeed capture (May 2022); change_percent left null.</summary>
    public static IReadOnlyList<Ticker> OkxSpotTickers => Okx.Value;

    private static List<Trade> LoadXrpEth()
    {
        using var gzip = new GZipStream(File.OpenRead(Trades("freqtrade-XRP_ETH-trades.json.gz")), CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gzip);
        return [.. doc.RootElement.EnumerateArray().Select(a => new Trade(
            a[1].GetString()!,
            a[0].GetInt64(),
            a[4].GetDecimal(),
            a[5].GetDecimal(),
            a[3].GetString() == "buy" ? TradeSide.Buy : TradeSide.Sell))];
    }

    private static List<Trade> LoadKraken()
    {
        var trades = new List<Trade>();
        foreach (var line in File.ReadLines(Trades("kraken-BCHEUR-trades.csv")))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var f = line.Split(',');
            trades.Add(new Trade(
                (trades.Count + 1).ToString(CultureInfo.InvariantCulture),
                long.Parse(f[0], CultureInfo.InvariantCulture) * 1000,
                decimal.Parse(f[1], CultureInfo.InvariantCulture),
                decimal.Parse(f[2], CultureInfo.InvariantCulture),
                TradeSide.Unknown));
        }

        return trades;
    }

    private static List<Ticker> LoadOkxTickers()
    {
        var file = Path.Combine(Path.GetDirectoryName(TestData.Klines("x"))!, "..", "captures", "OKX.ws.1.0");
        var tickers = new List<Ticker>();
        foreach (var line in File.ReadLines(file))
        {
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            if (brace < 0 || !line.Contains("\"channel\":\"tickers\"", StringComparison.Ordinal) || !line.Contains("\"data\"", StringComparison.Ordinal))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line[brace..]);
            foreach (var d in doc.RootElement.GetProperty("data").EnumerateArray())
            {
                if (d.GetProperty("instType").GetString() != "SPOT")
                {
                    continue;
                }

                decimal Dec(string name) => decimal.Parse(d.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
                var last = Dec("last");
                var open = Dec("open24h");
                tickers.Add(new Ticker(
                    Symbol.Parse(d.GetProperty("instId").GetString()!.Replace('-', '/')),
                    long.Parse(d.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture),
                    last,
                    Dec("bidPx"),
                    Dec("askPx"),
                    Dec("high24h"),
                    Dec("low24h"),
                    open,
                    Dec("vol24h"),
                    Dec("volCcy24h"),
                    last - open,
                    null));
            }
        }

        return tickers;
    }
}
