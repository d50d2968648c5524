using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Coinlake.Trades;

namespace Coinlake.Testing;

/// <summary>
/// Loads the real trades of <c>shared/data/trades</c> (see its <c>README.md</c>) through <see cref="TestData.PathOf"/>.
/// Numbers are parsed exactly from their text; loaded lists are cached for the life of the process, read-only and shared.
/// </summary>
public static class TradeData
{
    private static readonly Lazy<IReadOnlyList<Trade>> _xrpEth = new(() => LoadFreqtrade(TestData.PathOf("trades/freqtrade-XRP_ETH-trades.json.gz")));
    private static readonly Lazy<IReadOnlyList<Trade>> _krakenBchEur = new(() => LoadKrakenCsv(TestData.PathOf("trades/kraken-BCHEUR-trades.csv")));

    /// <summary>
    /// 12,477 real Binance XRP/ETH trades, 2019-10-11 to 2019-10-13 (<c>trades/freqtrade-XRP_ETH-trades.json.gz</c>,
    /// gzip JSON <c>[[ts_ms, "id", order, "buy"|"sell", price, amount, cost], ...]</c>), in file order (ascending id and
    /// time). Id = the file's id text (Binance aggregate trade ids, consecutive), timestamp ms UTC, price in ETH,
    /// amount in XRP, side = the taker side. The cost column is not read (it is price × amount with float noise).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is absent (see <see cref="TestData.Root"/>).</exception>
    /// <exception cref="InvalidDataException">A row does not have that shape; the message names the byte offset.</exception>
    public static IReadOnlyList<Trade> FreqtradeXrpEth() => _xrpEth.Value;

    /// <summary>
    /// Kraken BCH/EUR trades (<c>trades/kraken-BCHEUR-trades.csv</c>, rows <c>ts_seconds,price,volume</c>, no header).
    /// The file has no ids and no sides: id = the 1-based row number (<c>"1"</c>, <c>"2"</c>, ...), side
    /// <see cref="TradeSide.Unknown"/>. Timestamp = seconds × 1000 (ms UTC), price in EUR, amount in BCH.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is absent.</exception>
    /// <exception cref="InvalidDataException">A line is not <c>ts_seconds,price,volume</c>; the message names the line.</exception>
    public static IReadOnlyList<Trade> KrakenBchEur() => _krakenBchEur.Value;

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
                if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
                {
                    throw new JsonException("expected the trade id (string or number)");
                }

                var id = reader.TokenType == JsonTokenType.String ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan);
                reader.Read(); // order id: null in this file
                if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    reader.Skip();
                }

                Expect(ref reader, JsonTokenType.String);
                var side = reader.GetString() switch
                {
                    "buy" => TradeSide.Buy,
                    "sell" => TradeSide.Sell,
                    var other => throw new JsonException($"side '{other}' is neither 'buy' nor 'sell'"),
                };
                Expect(ref reader, JsonTokenType.Number);
                var price = Number(ref reader);
                Expect(ref reader, JsonTokenType.Number);
                var amount = Number(ref reader);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    // cost and anything after it
                }

                result.Add(new Trade(id, time, price, amount, side));
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException(
                $"'{path}' is not a JSON array of [ts_ms, id, order, side, price, amount, cost] rows (at byte {reader.BytesConsumed}, trade #{result.Count + 1}): {ex.Message}", ex);
        }

        return [.. result];

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
        Span<Range> parts = stackalloc Range[4];
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var span = line.AsSpan();
            if (span.Split(parts, ',') != 3)
            {
                throw new InvalidDataException($"'{path}' line {lineNumber}: expected 'ts_seconds,price,volume', found '{line}'.");
            }

            try
            {
                var seconds = decimal.Parse(span[parts[0]], NumberStyles.Float, CultureInfo.InvariantCulture);
                var price = decimal.Parse(span[parts[1]], NumberStyles.Float, CultureInfo.InvariantCulture);
                var volume = decimal.Parse(span[parts[2]], NumberStyles.Float, CultureInfo.InvariantCulture);
                var id = lineNumber.ToString(CultureInfo.InvariantCulture);
                result.Add(new Trade(id, (long)decimal.Round(seconds * 1000m, MidpointRounding.AwayFromZero), price, volume, TradeSide.Unknown));
            }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                throw new InvalidDataException($"'{path}' line {lineNumber}: cannot parse '{line}': {ex.Message}", ex);
            }
        }

        return [.. result];
    }
}
