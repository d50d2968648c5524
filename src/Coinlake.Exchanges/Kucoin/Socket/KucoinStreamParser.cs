using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Kucoin.Socket;

/// <summary>
/// Parses the frames of one KuCoin spot connection with <see cref="Utf8JsonReader"/>:
/// <list type="bullet">
/// <item><c>welcome</c>, <c>ack</c>, <c>pong</c>, <c>notice</c> → Control;</item>
/// <item><c>{"type":"error","code":..,"data":"msg"}</c> → Rejected for subscription errors (400 bad request, 404 topic
/// or symbol not found, 509 over a subscription limit), else Error (401 invalid token, 500 ...);</item>
/// <item><c>{"type":"message","topic":..,"data":{..}}</c> → Data: <c>/market/candles:{id}_{type}</c> ("Klines":
/// <c>candles</c> = <c>[start (s), open, close, high, low, volume (base), turnover (quote)]</c>; KuCoin marks no candle
/// closed, so <see cref="CandleEvent.IsClosed"/> stays false and the writer closes a candle when the next one starts);
/// <c>/market/match:{id}</c> ("Match Execution Data": id = <c>sequence</c>, as the REST trade history has no trade id,
/// time = <c>time</c> in ns floored to ms, taker <c>side</c>); <c>/market/ticker:{id}</c> ("Ticker": last =
/// <c>price</c>, best bid/ask, time in ms; no 24 h statistics). Other topics (level2 ...) are Data without events.</item>
/// </list>
/// Anything else, or a data message missing a required field, is Malformed; nothing throws.
/// </summary>
internal sealed class KucoinStreamParser : StreamFrameParser
{
    private const string CandlePrefix = "/market/candles:";
    private const string MatchPrefix = "/market/match:";
    private const string TickerPrefix = "/market/ticker:";
    private const int KeyBufferLength = 160;

    private readonly StreamSymbols _symbols;
    private readonly bool _replay;
    private readonly Dictionary<string, StreamSubscription[]?> _routes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StreamSubscription[]?>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<MarketEvent> _pending = new(8);

    /// <summary>Creates the parser of a connection carrying <paramref name="group"/> (null on replay: subscriptions are read off the topics).</summary>
    public KucoinStreamParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group)
    {
        _symbols = symbols;
        _replay = group is null;
        _lookup = _routes.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var topicGroup in (group ?? []).GroupBy(s => KucoinStreamProtocol.PushTopic(s, symbols), StringComparer.Ordinal))
        {
            _routes[topicGroup.Key] = [.. topicGroup];
        }
    }

    /// <inheritdoc/>
    public override FrameResult Parse(ReadOnlySpan<byte> frame, long receivedAt, ICollection<MarketEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        _pending.Clear();
        try
        {
            var result = ParseObject(frame, receivedAt);
            if (result.Kind == FrameKind.Data)
            {
                foreach (var e in _pending)
                {
                    events.Add(e);
                }
            }

            return result;
        }
        catch (JsonException ex)
        {
            return FrameResult.Malformed($"invalid JSON: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            return FrameResult.Malformed($"unexpected JSON token: {ex.Message}");
        }
        finally
        {
            _pending.Clear();
        }
    }

    private FrameResult ParseObject(ReadOnlySpan<byte> frame, long receivedAt)
    {
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return FrameResult.Malformed("not a JSON object");
        }

        string? type = null, code = null;
        Range topicRange = default;
        int dataStart = -1, dataEnd = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetString();
            }
            else if (reader.ValueTextEquals("topic"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                {
                    var start = (int)reader.TokenStartIndex + 1;
                    topicRange = new Range(start, start + reader.ValueSpan.Length);
                }
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                code = reader.TokenType == JsonTokenType.String ? reader.GetString() : Encoding.UTF8.GetString(reader.ValueSpan);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                dataStart = (int)reader.TokenStartIndex;
                reader.Skip();
                dataEnd = (int)reader.BytesConsumed;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        switch (type)
        {
            case "welcome" or "ack" or "pong" or "notice":
                return FrameResult.Control;
            case "error":
            {
                var text = dataStart >= 0 ? ErrorText(frame[dataStart..dataEnd]) : "";
                return code is "400" or "404" or "509"
                    ? FrameResult.Rejected($"KuCoin refused the subscription: {text} (code {code})")
                    : FrameResult.Error($"KuCoin error {code}: {text}");
            }

            case "message":
                break;
            default:
                return FrameResult.Malformed($"unknown message type '{type}'");
        }

        var topic = frame[topicRange];
        if (topic.IsEmpty || dataStart < 0)
        {
            return FrameResult.Malformed("a message without topic or data");
        }

        var subscriptions = FindRoute(topic);
        if (subscriptions is null)
        {
            return FrameResult.Data; // a topic Coinlake does not read (level2 ...) or an id it cannot resolve
        }

        var data = frame[dataStart..dataEnd];
        return subscriptions[0].Channel switch
        {
            StreamChannel.Trades => ParseMatch(data, subscriptions, receivedAt),
            StreamChannel.Tickers => ParseTicker(data, subscriptions, receivedAt),
            _ => ParseCandle(data, subscriptions, receivedAt),
        };
    }

    private static string ErrorText(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        return reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : Encoding.UTF8.GetString(data);
    }

    private StreamSubscription[]? FindRoute(ReadOnlySpan<byte> topic)
    {
        Span<char> buffer = topic.Length <= KeyBufferLength ? stackalloc char[KeyBufferLength] : new char[topic.Length];
        var key = buffer[..Encoding.UTF8.GetChars(topic, buffer)];
        if (_lookup.TryGetValue(key, out var route))
        {
            return route;
        }

        if (!_replay)
        {
            return null;
        }

        var text = key.ToString();
        route = ReplayRoute(text);
        _routes[text] = route;
        return route;
    }

    /// <summary>On replay: the subscription a per-symbol push topic stands for, or null.</summary>
    private StreamSubscription[]? ReplayRoute(string topic)
    {
        string id;
        StreamChannel channel;
        Timeframe? timeframe = null;
        if (topic.StartsWith(CandlePrefix, StringComparison.Ordinal))
        {
            var rest = topic[CandlePrefix.Length..];
            var underscore = rest.LastIndexOf('_');
            if (underscore <= 0)
            {
                return null;
            }

            var type = rest[(underscore + 1)..];
            timeframe = Timeframe.All.Cast<Timeframe?>().FirstOrDefault(tf => KucoinIntervals.TypeOf(tf!.Value, out _) == type);
            if (timeframe is null)
            {
                return null;
            }

            (id, channel) = (rest[..underscore], StreamChannel.Candles);
        }
        else if (topic.StartsWith(MatchPrefix, StringComparison.Ordinal))
        {
            (id, channel) = (topic[MatchPrefix.Length..], StreamChannel.Trades);
        }
        else if (topic.StartsWith(TickerPrefix, StringComparison.Ordinal))
        {
            (id, channel) = (topic[TickerPrefix.Length..], StreamChannel.Tickers);
        }
        else
        {
            return null;
        }

        return id.Contains(',', StringComparison.Ordinal) || _symbols.Resolve(id, MarketType.Spot) is not { } symbol
            ? null
            : [new StreamSubscription(symbol, MarketType.Spot, channel, timeframe)];
    }

    private FrameResult ParseCandle(ReadOnlySpan<byte> data, StreamSubscription[] subscriptions, long receivedAt)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return FrameResult.Malformed("candle data is not an object");
        }

        Span<Range> fields = stackalloc Range[7];
        var count = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("candles"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return FrameResult.Malformed("'candles' is not an array");
            }

            count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number) || reader.ValueIsEscaped)
                {
                    return FrameResult.Malformed($"candle field {count + 1} is {reader.TokenType}");
                }

                if (count < fields.Length)
                {
                    var start = (int)reader.TokenStartIndex + (reader.TokenType == JsonTokenType.String ? 1 : 0);
                    fields[count] = new Range(start, start + reader.ValueSpan.Length);
                }

                count++;
            }
        }

        if (count < 6)
        {
            return FrameResult.Malformed(count < 0 ? "candle data has no 'candles'" : $"a candle has {count} fields; expected 7");
        }

        if (!TryLong(data[fields[0]], out var seconds) || !TryDecimal(data[fields[1]], out var open) || !TryDecimal(data[fields[2]], out var close)
            || !TryDecimal(data[fields[3]], out var high) || !TryDecimal(data[fields[4]], out var low) || !TryDecimal(data[fields[5]], out var volume))
        {
            return FrameResult.Malformed("a candle field is not a number");
        }

        decimal? turnover = count > 6 && TryDecimal(data[fields[6]], out var t) ? t : null;
        var candle = new Candle(seconds * 1000, open, high, low, close, volume, turnover);
        foreach (var subscription in subscriptions)
        {
            _pending.Add(new CandleEvent(subscription, receivedAt, candle, IsClosed: false));
        }

        return FrameResult.Data;
    }

    private FrameResult ParseMatch(ReadOnlySpan<byte> data, StreamSubscription[] subscriptions, long receivedAt)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return FrameResult.Malformed("match data is not an object");
        }

        string? sequence = null;
        long ns = 0;
        decimal price = 0, size = 0;
        bool hasTime = false, hasPrice = false, hasSize = false;
        var side = TradeSide.Unknown;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("sequence"u8))
            {
                reader.Read();
                sequence = reader.TokenType == JsonTokenType.String ? reader.GetString() : Encoding.UTF8.GetString(reader.ValueSpan);
            }
            else if (reader.ValueTextEquals("time"u8))
            {
                hasTime = TryLong(Value(ref reader), out ns);
            }
            else if (reader.ValueTextEquals("price"u8))
            {
                hasPrice = TryDecimal(Value(ref reader), out price);
            }
            else if (reader.ValueTextEquals("size"u8))
            {
                hasSize = TryDecimal(Value(ref reader), out size);
            }
            else if (reader.ValueTextEquals("side"u8))
            {
                reader.Read();
                side = reader.ValueTextEquals("buy"u8) ? TradeSide.Buy : reader.ValueTextEquals("sell"u8) ? TradeSide.Sell : TradeSide.Unknown;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (string.IsNullOrEmpty(sequence) || !hasTime || !hasPrice || !hasSize)
        {
            return FrameResult.Malformed("a match lacks a valid sequence, time, price or size");
        }

        var trade = new Trade(sequence, ns / 1_000_000, price, size, side);
        foreach (var subscription in subscriptions)
        {
            _pending.Add(new TradeEvent(subscription, receivedAt, trade));
        }

        return FrameResult.Data;
    }

    private FrameResult ParseTicker(ReadOnlySpan<byte> data, StreamSubscription[] subscriptions, long receivedAt)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return FrameResult.Malformed("ticker data is not an object");
        }

        long time = 0;
        decimal? last = null, bid = null, ask = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("time"u8))
            {
                _ = TryLong(Value(ref reader), out time);
            }
            else if (reader.ValueTextEquals("price"u8))
            {
                last = Optional(Value(ref reader));
            }
            else if (reader.ValueTextEquals("bestBid"u8))
            {
                bid = Optional(Value(ref reader));
            }
            else if (reader.ValueTextEquals("bestAsk"u8))
            {
                ask = Optional(Value(ref reader));
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        foreach (var subscription in subscriptions)
        {
            var ticker = new Ticker(subscription.Symbol, time > 0 ? time : receivedAt, last, bid, ask, null, null, null, null, null, null, null);
            _pending.Add(new TickerEvent(subscription, receivedAt, ticker));
        }

        return FrameResult.Data;
    }

    private static ReadOnlySpan<byte> Value(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
            return default;
        }

        return reader.ValueIsEscaped ? default : reader.ValueSpan;
    }

    private static decimal? Optional(ReadOnlySpan<byte> text) => TryDecimal(text, out var value) ? value : null;

    private static bool TryDecimal(ReadOnlySpan<byte> text, out decimal value) =>
        Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && text.Length > 0;

    private static bool TryLong(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && text.Length > 0;
}
