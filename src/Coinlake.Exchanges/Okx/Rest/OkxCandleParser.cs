using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;

namespace Coinlake.Exchanges.Okx.Rest;

/// <summary>Which columns a candle row carries.</summary>
internal enum OkxCandleShape
{
    /// <summary>Last-price candles of a spot market: <c>[ts,o,h,l,c,vol(base),volCcy(quote),volCcyQuote(quote),confirm]</c>.</summary>
    Spot,

    /// <summary>Last-price candles of a derivative: <c>[ts,o,h,l,c,vol(contracts),volCcy(base),volCcyQuote(quote),confirm]</c>.</summary>
    Derivative,

    /// <summary>Mark or index candles: <c>[ts,o,h,l,c,confirm]</c>.</summary>
    PriceOnly,
}

/// <summary>A parsed candle page: candles in the venue's order and the earliest open time marked in progress.</summary>
internal sealed class OkxCandleRows(List<Candle> candles, long firstUnconfirmed)
{
    /// <summary>Completed candles (<c>confirm</c> 1), in the order the venue sent them (newest first).</summary>
    public List<Candle> Candles { get; } = candles;

    /// <summary>Open time of the earliest row with <c>confirm</c> 0 (never stored), or <see cref="long.MaxValue"/>.</summary>
    public long FirstUnconfirmed { get; } = firstUnconfirmed;
}

/// <summary>
/// Parses the <c>data</c> array of OKX candle answers ("GET / Candlesticks", "GET / Candlesticks history", "Get mark
/// price candlesticks", "Get index candlesticks" and their history variants) straight from the bytes with
/// <see cref="Utf8JsonReader"/>. Every field is a string; prices and volumes are parsed as exact decimals. Rows with
/// <c>confirm</c> = <c>0</c> (the candle in progress) are dropped and reported through
/// <see cref="OkxCandleRows.FirstUnconfirmed"/>. Volume: spot <c>vol</c> (base currency), derivatives <c>volCcy</c>
/// (base currency; <c>vol</c> counts contracts); quote volume <c>volCcyQuote</c> (spot falls back to <c>volCcy</c>).
/// Rows from before <c>volCcyQuote</c>/<c>confirm</c> existed (7 columns) are accepted; mark/index candles have
/// volume 0 and no quote volume.
/// </summary>
internal static class OkxCandleParser
{
    /// <summary>Parses a <c>data</c> array.</summary>
    /// <exception cref="MalformedResponseException">Not an array of candle rows; the message says what and where.</exception>
    public static OkxCandleRows Parse(ReadOnlySpan<byte> data, Uri url, string exchange, OkxCandleShape shape)
    {
        var candles = new List<Candle>(Math.Max(16, data.Length / 110));
        var firstUnconfirmed = long.MaxValue;
        var reader = new Utf8JsonReader(data);
        var row = -1;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw Malformed(exchange, url, "the envelope's data is not an array of candles", row);
            }

            Span<Range> fields = stackalloc Range[12];
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                row++;
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw Malformed(exchange, url, $"expected a candle array but found {reader.TokenType}", row);
                }

                var count = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number) || reader.ValueIsEscaped)
                    {
                        throw Malformed(exchange, url, $"field #{count + 1} is {reader.TokenType}, not a string", row);
                    }

                    if (count < fields.Length)
                    {
                        var start = (int)reader.TokenStartIndex + (reader.TokenType == JsonTokenType.String ? 1 : 0);
                        fields[count] = new Range(start, start + reader.ValueSpan.Length);
                    }

                    count++;
                }

                var minimum = shape == OkxCandleShape.PriceOnly ? 5 : 7;
                if (count < minimum)
                {
                    throw Malformed(exchange, url, $"a candle row has {count} fields; expected at least {minimum}", row);
                }

                var openTime = Int64(data[fields[0]], exchange, url, row, "ts");
                var open = Decimal(data[fields[1]], exchange, url, row, "o");
                var high = Decimal(data[fields[2]], exchange, url, row, "h");
                var low = Decimal(data[fields[3]], exchange, url, row, "l");
                var close = Decimal(data[fields[4]], exchange, url, row, "c");
                var confirmIndex = shape == OkxCandleShape.PriceOnly ? 5 : 8;
                if (count > confirmIndex && data[fields[confirmIndex]] is [(byte)'0'])
                {
                    firstUnconfirmed = Math.Min(firstUnconfirmed, openTime);
                    continue;
                }

                if (shape == OkxCandleShape.PriceOnly)
                {
                    candles.Add(new Candle(openTime, open, high, low, close, 0));
                    continue;
                }

                var vol = Decimal(data[fields[5]], exchange, url, row, "vol");
                var volCcy = Decimal(data[fields[6]], exchange, url, row, "volCcy");
                decimal? volCcyQuote = count > 7 && data[fields[7]].Length > 0 ? Decimal(data[fields[7]], exchange, url, row, "volCcyQuote") : null;
                candles.Add(shape == OkxCandleShape.Spot
                    ? new Candle(openTime, open, high, low, close, vol, volCcyQuote ?? volCcy)
                    : new Candle(openTime, open, high, low, close, volCcy, volCcyQuote));
            }

            if (reader.TokenType != JsonTokenType.EndArray)
            {
                throw Malformed(exchange, url, "the candle array ends early (truncated)", row);
            }
        }
        catch (JsonException ex)
        {
            throw new MalformedResponseException(exchange, url,
                $"invalid JSON in the candle data at byte {ex.BytePositionInLine?.ToString(CultureInfo.InvariantCulture) ?? "?"} (row #{row + 1}): {ex.Message}", ex);
        }

        return new OkxCandleRows(candles, firstUnconfirmed);
    }

    /// <summary>Parses an integer field (a string of digits).</summary>
    /// <exception cref="MalformedResponseException">Not an integer.</exception>
    internal static long Int64(ReadOnlySpan<byte> text, string exchange, Uri url, int row, string what) =>
        Utf8Parser.TryParse(text, out long value, out var consumed) && consumed == text.Length && text.Length > 0
            ? value
            : throw Malformed(exchange, url, $"'{what}' is not an integer ('{System.Text.Encoding.UTF8.GetString(text)}')", row);

    /// <summary>Parses a decimal field exactly (OKX writes plain decimals such as <c>"30236.1"</c>).</summary>
    /// <exception cref="MalformedResponseException">Not a decimal.</exception>
    internal static decimal Decimal(ReadOnlySpan<byte> text, string exchange, Uri url, int row, string what) =>
        Utf8Parser.TryParse(text, out decimal value, out var consumed) && consumed == text.Length && text.Length > 0
            ? value
            : throw Malformed(exchange, url, $"'{what}' is not a decimal ('{System.Text.Encoding.UTF8.GetString(text)}')", row);

    private static MalformedResponseException Malformed(string exchange, Uri url, string detail, int row) =>
        new(exchange, url, row >= 0 ? $"{detail} (row #{row + 1})" : detail);
}
