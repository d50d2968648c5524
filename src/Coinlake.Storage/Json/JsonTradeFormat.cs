using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Storage.Internal;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Storage.Json;

/// <summary>
/// The JSON layout of trades: an array of objects ordered by timestamp then trade id:
/// <code>[{"trade_id":"13519807","timestamp":1570752011620,"datetime":"2019-10-11T00:00:11.620Z","side":"sell","price":0.00141342,"amount":23.0,"cost":0.03250866}, ...]</code>
/// Prices and amounts are JSON numbers with their full decimal text (exact for decimal parsers), <c>side</c> is
/// <c>buy</c>, <c>sell</c> or null, <c>cost</c> = price × amount. Reading also accepts freqtrade's trade files
/// (<c>[[timestamp_ms, id, order, side, price, amount, cost], ...]</c>, freqtrade data format "json"/"jsongz"),
/// objects with ccxt-style names (<c>id</c>, <c>timestamp</c>, <c>side</c>, <c>price</c>, <c>amount</c>), numbers or
/// strings for values, and <c>.json.gz</c>.
/// </summary>
internal sealed class JsonTradeFormat : IRecordFileFormat<TradeSeriesKey, string, Trade>
{
    /// <inheritdoc/>
    public string Name => "json";

    /// <inheritdoc/>
    public IComparer<Trade> Order => TradeText.Order;

    /// <inheritdoc/>
    public string KeyOf(in Trade record) => record.Id;

    /// <inheritdoc/>
    public long TimeOf(in Trade record) => record.Timestamp;

    /// <inheritdoc/>
    public void Validate(TradeSeriesKey series, in Trade record)
    {
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(Stream stream, TradeSeriesKey series, IReadOnlyList<Trade> records, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartArray();
        foreach (var t in records)
        {
            writer.WriteStartObject();
            writer.WriteString("trade_id", t.Id);
            writer.WriteNumber("timestamp", t.Timestamp);
            writer.WriteString("datetime", TimeRange.FormatTime(t.Timestamp));
            if (TradeText.Side(t.Side) is { } side)
            {
                writer.WriteString("side", side);
            }
            else
            {
                writer.WriteNull("side");
            }

            writer.WriteNumber("price", t.Price);
            writer.WriteNumber("amount", t.Amount);
            writer.WriteNumber("cost", t.Cost);
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
    public async ValueTask<List<string>> ReadKeysAsync(string path, CancellationToken cancellationToken) =>
        [.. (await ReadAsync(path, cancellationToken)).Records.Select(t => t.Id)];

    /// <inheritdoc/>
    public async ValueTask<RecordFileRows<TradeSeriesKey, Trade>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        await using (var stream = TimeText.OpenRead(path))
        using (var memory = new MemoryStream())
        {
            await stream.CopyToAsync(memory, cancellationToken);
            bytes = memory.ToArray();
        }

        return new RecordFileRows<TradeSeriesKey, Trade>(Parse(bytes, path), null);
    }

    /// <summary>Parses a JSON trade array (objects or freqtrade arrays) from UTF-8 bytes.</summary>
    /// <exception cref="InvalidDataException">Not a trade array; the message gives the file and byte position.</exception>
    internal static List<Trade> Parse(ReadOnlySpan<byte> utf8, string path)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var trades = new List<Trade>();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw Bad(path, reader, "the file must be a JSON array of trades");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                trades.Add(reader.TokenType switch
                {
                    JsonTokenType.StartObject => ReadObject(ref reader, path),
                    JsonTokenType.StartArray => ReadArray(ref reader, path),
                    _ => throw Bad(path, reader, "each trade must be an object or an array"),
                });
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }

        return trades;
    }

    private static Trade ReadObject(ref Utf8JsonReader reader, string path)
    {
        string? id = null;
        long? time = null;
        decimal? price = null, amount = null;
        var side = TradeSide.Unknown;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString() ?? "";
            reader.Read();
            switch (name)
            {
                case "trade_id" or "id" or "tradeId":
                    id = ReadText(ref reader, path);
                    break;
                case "timestamp" or "time" or "ts" or "T":
                    time = ReadTime(ref reader, path);
                    break;
                case "datetime" or "date":
                    time ??= ReadTime(ref reader, path);
                    break;
                case "price" or "px" or "p":
                    price = ReadDecimal(ref reader, path);
                    break;
                case "amount" or "qty" or "size" or "sz" or "q" or "volume":
                    amount = ReadDecimal(ref reader, path);
                    break;
                case "side" or "S":
                    side = TradeText.ParseSide(ReadText(ref reader, path), Where(path, reader));
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new Trade(
            id ?? throw Bad(path, reader, "a trade has no trade_id"),
            time ?? throw Bad(path, reader, "a trade has no timestamp"),
            price ?? throw Bad(path, reader, "a trade has no price"),
            amount ?? throw Bad(path, reader, "a trade has no amount"),
            side);
    }

    /// <summary>freqtrade: <c>[timestamp_ms, id, order, side, price, amount, cost]</c>.</summary>
    private static Trade ReadArray(ref Utf8JsonReader reader, string path)
    {
        long time = 0;
        string? id = null;
        string? side = null;
        decimal? price = null, amount = null;
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (count)
            {
                case 0:
                    time = ReadTime(ref reader, path);
                    break;
                case 1:
                    id = ReadText(ref reader, path);
                    break;
                case 3:
                    side = ReadText(ref reader, path);
                    break;
                case 4:
                    price = ReadDecimal(ref reader, path);
                    break;
                case 5:
                    amount = ReadDecimal(ref reader, path);
                    break;
                default:
                    reader.Skip();
                    break;
            }

            count++;
        }

        if (count < 6)
        {
            throw Bad(path, reader, "a trade array needs [timestamp, id, order, side, price, amount]");
        }

        return new Trade(
            id ?? throw Bad(path, reader, "trade id is null"),
            time,
            price ?? throw Bad(path, reader, "price is null"),
            amount ?? throw Bad(path, reader, "amount is null"),
            TradeText.ParseSide(side, Where(path, reader)));
    }

    private static string? ReadText(ref Utf8JsonReader reader, string path) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
        _ => throw Bad(path, reader, "a trade id or side must be a string or a number"),
    };

    private static long ReadTime(ref Utf8JsonReader reader, string path) =>
        JsonValues.TryReadTime(ref reader, path, out var time) ? time : throw Bad(path, reader, "timestamp must be a number of ms or an ISO-8601 string");

    private static decimal? ReadDecimal(ref Utf8JsonReader reader, string path) =>
        JsonValues.TryReadDecimal(ref reader, path, out var value) ? value : throw Bad(path, reader, "a price or amount must be a number or a decimal string");

    private static string Where(string path, in Utf8JsonReader reader) => JsonValues.Where(path, reader);

    private static InvalidDataException Bad(string path, in Utf8JsonReader reader, string what) =>
        new($"{Where(path, reader)}: {what} (Coinlake reads [{{\"trade_id\":\"1\",\"timestamp\":ms,\"price\":...,\"amount\":...}}, ...] or freqtrade's [[ms, id, order, side, price, amount, cost], ...]).");
}
