using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Coinlake.Trades;

namespace Coinlake.Testing.Kucoin;

/// <summary>
/// Loads the real trades of <c>shared/data/trades/</c> as Coinlake <see cref="Trade"/>s, for the fake KuCoin server
/// (<see cref="FakeKucoinServer.AddTrades"/>) and the tests comparing against them. Numbers are parsed exactly from
/// their JSON/CSV text. Loaded once per process; the lists are shared and read-only.
/// </summary>
public static class TradeFiles
{
    private static readonly Lazy<IReadOnlyList<Trade>> _xrpEth = new(() => LoadFreqtrade(TestData.PathOf("trades/freqtrade-XRP_ETH-trades.json.gz")));
    private static readonly Lazy<IReadOnlyList<Trade>> _krakenBchEur = new(() => LoadKraken(TestData.PathOf("trades/kraken-BCHEUR-trades.csv")));

    /// <summary>
    /// 12,477 Binance XRP/ETH trades, 2019-10-11 to 2019-10-13 (<c>freqtrade-XRP_ETH-trades.json.gz</c>,
    /// <c>[[ts_ms, id, order, side, price, amount, cost], ...]</c>): id as recorded (numeric text), price in ETH, amount in XRP.
    /// Ascending by time then id.
    /// </summary>
    public static IReadOnlyList<Trade> FreqtradeXrpEth() => _xrpEth.Value;

    /// <summary>
    /// Kraken BCH/EUR trades (<c>kraken-BCHEUR-trades.csv</c>, <c>ts_seconds,price,volume</c>, no header, no ids): time
    /// seconds × 1000, id = the 1-based line number (the file has no ids), side unknown. Ascending as recorded.
    /// </summary>
    public static IReadOnlyList<Trade> KrakenBchEur() => _krakenBchEur.Value;

    private static Trade[] LoadFreqtrade(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gzip);
        var trades = new List<Trade>(13_000);
        var index = 0;
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            try
            {
                var ts = row[0].GetInt64();
                var id = row[1].ValueKind == JsonValueKind.String ? row[1].GetString()! : row[1].GetRawText();
                var side = row[3].GetString() switch
                {
                    "buy" => TradeSide.Buy,
                    "sell" => TradeSide.Sell,
                    _ => TradeSide.Unknown,
                };
                trades.Add(new Trade(id, ts, Number(row[4]), Number(row[5]), side));
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or IndexOutOfRangeException)
            {
                throw new InvalidDataException($"'{path}' row {index}: expected [ts_ms, id, order, side, price, amount, cost]: {ex.Message}", ex);
            }

            index++;
        }

        return [.. trades];

        static decimal Number(JsonElement e) => decimal.Parse(e.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static Trade[] LoadKraken(string path)
    {
        var trades = new List<Trade>(256);
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }

            var parts = text.Split(',');
            if (parts.Length != 3)
            {
                throw new InvalidDataException($"'{path}' line {line}: expected 'ts_seconds,price,volume', found '{text}'.");
            }

            var seconds = decimal.Parse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture);
            trades.Add(new Trade(line.ToString(CultureInfo.InvariantCulture), (long)decimal.Floor(seconds * 1000),
                decimal.Parse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture),
                decimal.Parse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture), TradeSide.Unknown));
        }

        return [.. trades];
    }
}
