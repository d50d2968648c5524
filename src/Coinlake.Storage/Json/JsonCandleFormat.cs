using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Storage.Internal;
using Coinlake.Time;

namespace Coinlake.Storage.Json;

/// <summary>
/// The JSON layout of candles: an array of objects, one per candle, in open-time order:
/// <code>[{"open_time":1677628800000,"timestamp":"2023-03-01T00:00:00Z","open":23140.48,"high":23150.77,"low":23128.52,"close":23142.31,"volume":2.131777,"quote_volume":null,"trade_count":null}, ...]</code>
/// Prices and volumes are JSON numbers written with their full decimal text (<c>Utf8JsonWriter.WriteNumberValue(decimal)</c>),
/// so a decimal parser reads them exactly, and <c>pd.read_json</c> reads the file as a table (records).
/// Reading also accepts freqtrade's <c>[[open_time_ms, o, h, l, c, v], ...]</c> (freqtrade data format "json"),
/// Binance's raw kline arrays (<c>[t, "o", "h", "l", "c", "v", closeTime, "quoteVolume", trades, ...]</c>, spot API
/// "Kline/Candlestick data"), numbers or strings for values, and <c>.json.gz</c>.
/// </summary>
internal sealed class JsonCandleFormat : ICandleFileFormat
{
    /// <inheritdoc/>
    public string Name => "json";

    /// <inheritdoc/>
    public void Validate(SeriesKey series, in Candle candle)
    {
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(Stream stream, SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartArray();
        foreach (var c in candles)
        {
            writer.WriteStartObject();
            writer.WriteNumber("open_time", c.OpenTime);
            writer.WriteString("timestamp", TimeRange.FormatTime(c.OpenTime));
            writer.WriteNumber("open", c.Open);
            writer.WriteNumber("high", c.High);
            writer.WriteNumber("low", c.Low);
            writer.WriteNumber("close", c.Close);
            writer.WriteNumber("volume", c.Volume);
            if (c.QuoteVolume is { } qv)
            {
                writer.WriteNumber("quote_volume", qv);
            }
            else
            {
                writer.WriteNull("quote_volume");
            }

            if (c.TradeCount is { } n)
            {
                writer.WriteNumber("trade_count", n);
            }
            else
            {
                writer.WriteNull("trade_count");
            }

            writer.WriteEndObject();
            if (writer.BytesPending > 1 << 16)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        writer.WriteEndArray();
        await writer.FlushAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<List<long>> ReadOpenTimesAsync(string path, CancellationToken cancellationToken) =>
        [.. (await ReadAsync(path, cancellationToken)).Candles.Select(c => c.OpenTime)];

    /// <inheritdoc/>
    public async ValueTask<CandleFileRows> ReadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        await using (var stream = TimeText.OpenRead(path))
        using (var memory = new MemoryStream())
        {
            await stream.CopyToAsync(memory, cancellationToken);
            bytes = memory.ToArray();
        }

        return new CandleFileRows(Parse(bytes, path), null);
    }

    /// <summary>Parses a JSON candle array (objects or arrays) from UTF-8 bytes.</summary>
    /// <exception cref="InvalidDataException">Not a candle array; the message gives the file and byte position.</exception>
    internal static List<Candle> Parse(ReadOnlySpan<byte> utf8, string path)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var candles = new List<Candle>();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw Bad(path, reader, "the file must be a JSON array of candles");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                candles.Add(reader.TokenType switch
                {
                    JsonTokenType.StartObject => ReadObject(ref reader, path),
                    JsonTokenType.StartArray => ReadArray(ref reader, path),
                    _ => throw Bad(path, reader, "each candle must be an object or an array"),
                });
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }

        return candles;
    }

    private static Candle ReadObject(ref Utf8JsonReader reader, string path)
    {
        long? time = null;
        decimal? open = null, high = null, low = null, close = null, volume = null, quoteVolume = null;
        long? trades = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString() ?? "";
            reader.Read();
            switch (name)
            {
                case "open_time" or "openTime" or "t":
                    time = ReadTime(ref reader, path);
                    break;
                case "timestamp" or "time" or "date" or "datetime":
                    time ??= ReadTime(ref reader, path);
                    break;
                case "open" or "o":
                    open = ReadDecimal(ref reader, path);
                    break;
                case "high" or "h":
                    high = ReadDecimal(ref reader, path);
                    break;
                case "low" or "l":
                    low = ReadDecimal(ref reader, path);
                    break;
                case "close" or "c":
                    close = ReadDecimal(ref reader, path);
                    break;
                case "volume" or "v":
                    volume = ReadDecimal(ref reader, path);
                    break;
                case "quote_volume" or "quoteVolume" or "q":
                    quoteVolume = ReadDecimal(ref reader, path);
                    break;
                case "trade_count" or "trades" or "n":
                    trades = ReadDecimal(ref reader, path) is { } n ? (long)n : null;
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new Candle(
            time ?? throw Bad(path, reader, "a candle has no open_time"),
            open ?? throw Bad(path, reader, "a candle has no open"),
            high ?? throw Bad(path, reader, "a candle has no high"),
            low ?? throw Bad(path, reader, "a candle has no low"),
            close ?? throw Bad(path, reader, "a candle has no close"),
            volume ?? throw Bad(path, reader, "a candle has no volume"),
            quoteVolume,
            trades);
    }

    private static Candle ReadArray(ref Utf8JsonReader reader, string path)
    {
        Span<decimal?> values = stackalloc decimal?[9];
        long time = 0;
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count == 0)
            {
                time = ReadTime(ref reader, path);
            }
            else if (count < values.Length)
            {
                values[count] = ReadDecimal(ref reader, path);
            }
            else
            {
                reader.Skip();
            }

            count++;
        }

        if (count < 6)
        {
            throw Bad(path, reader, "a candle array needs at least [open_time, open, high, low, close, volume]");
        }

        // Binance raw klines: [t, o, h, l, c, v, closeTime, quoteVolume, trades, ...].
        var binance = count >= 9;
        return new Candle(
            time,
            values[1] ?? throw Bad(path, reader, "open is null"),
            values[2] ?? throw Bad(path, reader, "high is null"),
            values[3] ?? throw Bad(path, reader, "low is null"),
            values[4] ?? throw Bad(path, reader, "close is null"),
            values[5] ?? throw Bad(path, reader, "volume is null"),
            binance ? values[7] : null,
            binance && values[8] is { } n ? (long)n : null);
    }

    private static long ReadTime(ref Utf8JsonReader reader, string path) =>
        JsonValues.TryReadTime(ref reader, path, out var time) ? time : throw Bad(path, reader, "open_time must be a number of ms or an ISO-8601 string");

    private static decimal? ReadDecimal(ref Utf8JsonReader reader, string path) =>
        JsonValues.TryReadDecimal(ref reader, path, out var value) ? value : throw Bad(path, reader, "a price or volume must be a number or a decimal string");

    private static string Where(string path, in Utf8JsonReader reader) => JsonValues.Where(path, reader);

    private static InvalidDataException Bad(string path, in Utf8JsonReader reader, string what) =>
        new($"{Where(path, reader)}: {what} (Coinlake reads [{{\"open_time\":ms,\"open\":...}}, ...] or [[ms, o, h, l, c, v], ...]).");
}
