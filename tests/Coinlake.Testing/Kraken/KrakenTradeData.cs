using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Trades;

namespace Coinlake.Testing.Kraken;

/// <summary>
/// Loads the real trades of <c>shared/data/trades/</c> (see <see cref="TestData.Root"/>) for the fake Kraken server
/// and its tests, and derives trades from candles for backfills deeper than the recorded trades. Loaded lists are
/// cached and read-only; every trade id is a decimal integer (Kraken's <c>trade_id</c> is one).
/// </summary>
public static class KrakenTradeData
{
    private static readonly Lazy<IReadOnlyList<Trade>> _xrpEth = new(() => LoadFreqtrade(TestData.PathOf("trades/freqtrade-XRP_ETH-trades.json.gz")));
    private static readonly Lazy<IReadOnlyList<Trade>> _bchEur = new(() => LoadKrakenCsv(TestData.PathOf("trades/kraken-BCHEUR-trades.csv")));

    /// <summary>
    /// 12,477 real Binance XRP/ETH trades, 2019-10-11 to 2019-10-13 (<c>freqtrade-XRP_ETH-trades.json.gz</c>,
    /// <c>[ts_ms, id, order, side, price, amount, cost]</c>): id, ms timestamp, price (ETH) and amount (XRP) exactly
    /// from the JSON text, side buy/sell. Ascending by time then id.
    /// </summary>
    public static IReadOnlyList<Trade> FreqtradeXrpEth() => _xrpEth.Value;

    /// <summary>
    /// Real Kraken BCH/EUR trades (<c>kraken-BCHEUR-trades.csv</c>, <c>ts_seconds,price,volume</c>): timestamps in whole
    /// seconds (× 1000 ms), price in EUR, volume in BCH, exact. The file has no id and no side: ids are the line numbers
    /// (1, 2, ...) and the side is <see cref="TradeSide.Unknown"/>.
    /// </summary>
    public static IReadOnlyList<Trade> KrakenBchEur() => _bchEur.Value;

    /// <summary>
    /// Four trades per candle that aggregate back to it (<see cref="TradeAggregator"/>): the open at the open time, the
    /// high 15 s in, the low 30 s in, the close 45 s in (for 1m candles), each with a quarter of the volume (exact:
    /// decimals divide by 4 without rounding). Candles with zero volume have no trades and are skipped. Ids count up
    /// from <paramref name="firstId"/>; sides alternate buy/sell.
    /// </summary>
    /// <param name="candles">1m candles, ascending.</param>
    /// <param name="firstId">Id of the first trade.</param>
    public static IReadOnlyList<Trade> FromCandles(IEnumerable<Candle> candles, long firstId = 1)
    {
        ArgumentNullException.ThrowIfNull(candles);
        var trades = new List<Trade>();
        var id = firstId;
        foreach (var c in candles)
        {
            if (c.Volume <= 0)
            {
                continue;
            }

            var quarter = c.Volume / 4;
            var last = c.Volume - (3 * quarter);
            trades.Add(Make(c.OpenTime, c.Open, quarter, TradeSide.Buy));
            trades.Add(Make(c.OpenTime + 15_000, c.High, quarter, TradeSide.Sell));
            trades.Add(Make(c.OpenTime + 30_000, c.Low, quarter, TradeSide.Buy));
            trades.Add(Make(c.OpenTime + 45_000, c.Close, last, TradeSide.Sell));
        }

        return trades;

        Trade Make(long time, decimal price, decimal amount, TradeSide side) => new((id++).ToString(CultureInfo.InvariantCulture), time, price, amount, side);
    }

    private static Trade[] LoadFreqtrade(string path)
    {
        byte[] bytes;
        using (var file = File.OpenRead(path))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var memory = new MemoryStream())
        {
            gzip.CopyTo(memory);
            bytes = memory.ToArray();
        }

        var result = new List<Trade>(12_500);
        var reader = new Utf8JsonReader(bytes);
        try
        {
            Expect(ref reader, JsonTokenType.StartArray);
            while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
            {
                Expect(ref reader, JsonTokenType.Number);
                var time = reader.GetInt64();
                Expect(ref reader, JsonTokenType.String);
                var id = reader.GetString()!;
                if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    throw new JsonException($"trade id '{id}' is not a decimal integer");
                }

                reader.Read(); // order id (null)
                Expect(ref reader, JsonTokenType.String);
                var side = reader.ValueTextEquals("buy"u8) ? TradeSide.Buy : reader.ValueTextEquals("sell"u8) ? TradeSide.Sell : TradeSide.Unknown;
                Expect(ref reader, JsonTokenType.Number);
                var price = Number(ref reader);
                Expect(ref reader, JsonTokenType.Number);
                var amount = Number(ref reader);
                reader.Read(); // cost = price x amount (float noise): derived, not kept
                Expect(ref reader, JsonTokenType.EndArray);
                result.Add(new Trade(id, time, price, amount, side));
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{path}' is not a JSON array of [ts_ms, id, order, side, price, amount, cost] rows (at byte {reader.BytesConsumed}): {ex.Message}", ex);
        }

        return [.. result.OrderBy(t => t.Timestamp).ThenBy(t => t.Id.Length).ThenBy(t => t.Id, StringComparer.Ordinal)];

        static decimal Number(ref Utf8JsonReader reader) => decimal.Parse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture);

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
        var result = new List<Trade>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 3
                || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                || !decimal.TryParse(parts[1], NumberStyles.Number, CultureInfo.InvariantCulture, out var price)
                || !decimal.TryParse(parts[2], NumberStyles.Number, CultureInfo.InvariantCulture, out var volume))
            {
                throw new InvalidDataException($"'{path}' line {lineNumber}: expected 'ts_seconds,price,volume', found '{line}'.");
            }

            result.Add(new Trade((result.Count + 1).ToString(CultureInfo.InvariantCulture), seconds * 1000, price, volume, TradeSide.Unknown));
        }

        return [.. result];
    }
}
