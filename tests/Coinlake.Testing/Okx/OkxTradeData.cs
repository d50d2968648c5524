using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Coinlake.Trades;

namespace Coinlake.Testing.Okx;

/// <summary>
/// Loads the real trade files of <c>shared/data/trades/</c> (see its README) as <see cref="Trade"/>s, for the fake OKX
/// server and the tests that check what it serves. Values are parsed exactly from their text. Cached per process.
/// </summary>
public static class OkxTradeData
{
    private static readonly Lazy<IReadOnlyList<Trade>> _xrpEth = new(() => LoadFreqtrade(TestData.PathOf("trades/freqtrade-XRP_ETH-trades.json.gz")));
    private static readonly Lazy<IReadOnlyList<Trade>> _bchEur = new(() => LoadKraken(TestData.PathOf("trades/kraken-BCHEUR-trades.csv")));

    /// <summary>
    /// 12,477 real Binance XRP/ETH trades, 2019-10-11 to 2019-10-13 (<c>freqtrade-XRP_ETH-trades.json.gz</c>,
    /// <c>[[ts_ms, id, order, side, price, amount, cost], ...]</c>): ids as recorded (contiguous integers), price in
    /// ETH, amount in XRP, side as recorded. Ascending by time then id.
    /// </summary>
    public static IReadOnlyList<Trade> FreqtradeXrpEth() => _xrpEth.Value;

    /// <summary>
    /// Real Kraken BCH/EUR trades (<c>kraken-BCHEUR-trades.csv</c>, <c>ts_seconds,price,volume</c>): timestamps
    /// converted to ms, price in EUR, amount in BCH, side unknown; Kraken's file has no ids, so ids are the row numbers
    /// from 1 (<c>"1"</c>, <c>"2"</c>, ...).
    /// </summary>
    public static IReadOnlyList<Trade> KrakenBchEur() => _bchEur.Value;

    private static Trade[] LoadFreqtrade(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var document = JsonDocument.Parse(gzip);
        var trades = new List<Trade>(12_500);
        var row = 0;
        foreach (var item in document.RootElement.EnumerateArray())
        {
            row++;
            try
            {
                var ts = item[0].GetInt64();
                var id = item[1].GetString() ?? throw new InvalidDataException("null id");
                var side = item[3].GetString() switch
                {
                    "buy" => TradeSide.Buy,
                    "sell" => TradeSide.Sell,
                    _ => TradeSide.Unknown,
                };
                var price = decimal.Parse(item[4].GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
                var amount = decimal.Parse(item[5].GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
                trades.Add(new Trade(id, ts, price, amount, side));
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or IndexOutOfRangeException or InvalidDataException)
            {
                throw new InvalidDataException($"'{path}' row {row} is not [ts_ms, id, order, side, price, amount, cost]: {ex.Message}", ex);
            }
        }

        return [.. trades];
    }

    private static Trade[] LoadKraken(string path)
    {
        var trades = new List<Trade>();
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }

            var parts = text.Split(',');
            if (parts.Length != 3
                || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                || !decimal.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var price)
                || !decimal.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var volume))
            {
                throw new InvalidDataException($"'{path}' line {line} is not 'ts_seconds,price,volume': '{text}'.");
            }

            trades.Add(new Trade((trades.Count + 1).ToString(CultureInfo.InvariantCulture), seconds * 1000, price, volume, TradeSide.Unknown));
        }

        return [.. trades];
    }
}
