using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Coinlake.Trades;

namespace Coinlake.Testing.Bybit;

/// <summary>
/// Loads the real trade files of <c>shared/data/trades/</c> (see its README) as <see cref="Trade"/>s, for the fake
/// servers' recent-trade endpoints. Cached for the process; the lists are shared and read-only.
/// </summary>
public static class TradeFiles
{
    private static readonly Lazy<IReadOnlyList<Trade>> _xrpEth = new(() => LoadFreqtrade(TestData.PathOf("trades/freqtrade-XRP_ETH-trades.json.gz")));
    private static readonly Lazy<IReadOnlyList<Trade>> _bchEur = new(() => LoadKrakenCsv(TestData.PathOf("trades/kraken-BCHEUR-trades.csv")));

    /// <summary>
    /// 12,477 real Binance XRP/ETH trades, 2019-10-11 to 2019-10-13 (<c>freqtrade-XRP_ETH-trades.json.gz</c>,
    /// <c>[[ts_ms, id, order, side, price, amount, cost], ...]</c>): id, time, price (ETH) and amount (XRP) exactly as
    /// written, side <c>buy</c>/<c>sell</c>. Ascending by time then id.
    /// </summary>
    public static IReadOnlyList<Trade> FreqtradeXrpEth() => _xrpEth.Value;

    /// <summary>
    /// Kraken BCH/EUR trades (<c>kraken-BCHEUR-trades.csv</c>, <c>ts_seconds,price,volume</c>, no header, no id, no side).
    /// Time = seconds × 1000 (fractions kept to the ms); id = 1-based line number as text; side by the tick rule (price
    /// above the previous trade's → buy, below → sell, equal → the previous side; the first is buy), a derivation said
    /// here because the file has none.
    /// </summary>
    public static IReadOnlyList<Trade> KrakenBchEur() => _bchEur.Value;

    private static Trade[] LoadFreqtrade(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        var reader = new Utf8JsonReader(memory.ToArray());
        var trades = new List<Trade>(12_500);
        try
        {
            Expect(ref reader, JsonTokenType.StartArray);
            while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
            {
                Expect(ref reader, JsonTokenType.Number);
                var time = reader.GetInt64();
                Expect(ref reader, JsonTokenType.String);
                var id = reader.GetString()!;
                reader.Read(); // order id (null)
                Expect(ref reader, JsonTokenType.String);
                var side = reader.ValueTextEquals("buy"u8) ? TradeSide.Buy : reader.ValueTextEquals("sell"u8) ? TradeSide.Sell : TradeSide.Unknown;
                Expect(ref reader, JsonTokenType.Number);
                var price = decimal.Parse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture);
                Expect(ref reader, JsonTokenType.Number);
                var amount = decimal.Parse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                }

                trades.Add(new Trade(id, time, price, amount, side));
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{path}' is not a JSON array of [ts_ms, id, order, side, price, amount, cost] rows (at byte {reader.BytesConsumed}): {ex.Message}", ex);
        }

        return [.. trades];

        static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
        {
            if (!reader.Read() || reader.TokenType != type)
            {
                throw new JsonException($"expected {type}, found {reader.TokenType}");
            }
        }
    }

    private static Trade[] LoadKrakenCsv(string path)
    {
        var trades = new List<Trade>();
        var line = 0;
        decimal? previous = null;
        var side = TradeSide.Buy;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }

            var parts = text.Split(',');
            if (parts.Length != 3
                || !decimal.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                || !decimal.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var price)
                || !decimal.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var volume))
            {
                throw new InvalidDataException($"'{path}' line {line}: expected 'ts_seconds,price,volume', found '{text}'.");
            }

            if (previous is { } p)
            {
                side = price > p ? TradeSide.Buy : price < p ? TradeSide.Sell : side;
            }

            previous = price;
            trades.Add(new Trade(line.ToString(CultureInfo.InvariantCulture), (long)decimal.Round(seconds * 1000, 0), price, volume, side));
        }

        return [.. trades];
    }
}
