using System.Buffers.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Exchanges.Bybit.Rest;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Tickers;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Bybit.Socket;

/// <summary>
/// Parses the frames of one Bybit v5 public connection (one category) with <see cref="Utf8JsonReader"/>.
/// </summary>
/// <remarks>
/// <para>
/// Replies: <c>{"success":true,"ret_msg":"pong"|"subscribe"|"","op":"ping"|"subscribe",…}</c> and <c>{"op":"pong",…}</c>
/// → <see cref="FrameKind.Control"/>; <c>{"success":false,"ret_msg":"…","op":"subscribe"}</c> →
/// <see cref="FrameKind.Rejected"/> with Bybit's message; another failed op → <see cref="FrameKind.Error"/>.
/// </para>
/// <para>
/// Topics: <c>kline.*</c> ("Kline": <c>start</c>, <c>open high low close</c>, <c>volume</c> in base and
/// <c>turnover</c> in quote, swapped for inverse contracts where volume counts USD contracts, as "Get Kline" documents;
/// <c>confirm</c> = closed); <c>publicTrade.*</c> ("Trade": id <c>i</c>, time <c>T</c>, price <c>p</c>, size <c>v</c>,
/// taker side <c>S</c>); <c>tickers.*</c> ("Ticker": a snapshot, then for derivatives deltas holding only changed fields,
/// merged here into the last snapshot; last <c>lastPrice</c>, <c>bid1Price</c>, <c>ask1Price</c>, <c>highPrice24h</c>,
/// <c>lowPrice24h</c>, open <c>prevPrice24h</c>, <c>volume24h</c>/<c>turnover24h</c> as for klines, percent =
/// <c>price24hPcnt</c> × 100, change = last − open, time <c>ts</c>). Other topics (order books, liquidations) are
/// <see cref="FrameKind.Data"/> without events.
/// </para>
/// </remarks>
internal sealed class BybitFrameParser : StreamFrameParser
{
    private const int MaxTopicLength = 96;

    private readonly StreamSymbols _symbols;
    private readonly BybitCategory _category;
    private readonly bool _live;
    private readonly Dictionary<string, StreamSubscription?> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StreamSubscription?>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<StreamSubscription, TickerState> _tickers = [];
    private readonly TickerState _update = new();

    /// <summary>Creates the parser of one connection.</summary>
    /// <param name="symbols">Resolves ids.</param>
    /// <param name="group">The connection's subscriptions (other topics are dropped); null on replay.</param>
    /// <param name="category">The connection's category (its endpoint).</param>
    public BybitFrameParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group, BybitCategory category)
    {
        _symbols = symbols;
        _category = category;
        _live = group is not null;
        _lookup = _subscriptions.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var subscription in group ?? [])
        {
            if (symbols.IdOf(subscription.Symbol, subscription.MarketType) is not null && WhyNot(subscription) is null)
            {
                _subscriptions.TryAdd(BybitStreamProtocol.Topic(subscription, symbols), subscription);
            }
        }
    }

    private bool Inverse => _category == BybitCategory.Inverse;

    /// <inheritdoc />
    public override FrameResult Parse(ReadOnlySpan<byte> frame, long receivedAt, ICollection<MarketEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        try
        {
            return ParseFrame(frame, receivedAt, events);
        }
        catch (JsonException ex)
        {
            return FrameResult.Malformed($"invalid JSON: {ex.Message}");
        }
        catch (FormatException ex)
        {
            return FrameResult.Malformed(ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return FrameResult.Malformed($"unexpected JSON token: {ex.Message}");
        }
    }

    private static string? WhyNot(StreamSubscription subscription) =>
        subscription.Channel == StreamChannel.Candles && (subscription.Timeframe is not { } tf || BybitClient.IntervalOf(tf) is null) ? "no interval" : null;

    private static decimal Dec(ref Utf8JsonReader reader, string field) =>
        OptionalDec(ref reader, field) ?? throw new FormatException($"'{field}' is empty");

    private static decimal? OptionalDec(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.ValueIsEscaped)
        {
            var span = reader.ValueSpan;
            if (span.IsEmpty)
            {
                return null;
            }

            if (Utf8Parser.TryParse(span, out decimal value, out var consumed) && consumed == span.Length)
            {
                return value;
            }
        }
        else if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        throw new FormatException($"'{field}' is not a decimal ({reader.TokenType})");
    }

    private static long Int(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        if (reader.TokenType == JsonTokenType.String && Utf8Parser.TryParse(reader.ValueSpan, out value, out var consumed) && consumed == reader.ValueSpan.Length)
        {
            return value;
        }

        throw new FormatException($"'{field}' is not an integer ({reader.TokenType})");
    }

    private FrameResult ParseFrame(ReadOnlySpan<byte> frame, long receivedAt, ICollection<MarketEvent> events)
    {
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return FrameResult.Malformed("not a JSON object");
        }

        Span<char> topic = stackalloc char[MaxTopicLength];
        var topicLength = 0;
        Utf8JsonReader data = default;
        bool hasData = false, delta = false, subscribeOp = false, hasOp = false, hasType = false;
        bool? success = null;
        long? ts = null;
        string? message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("topic"u8))
            {
                reader.Read();
                var span = reader.ValueSpan;
                if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || span.Length == 0 || span.Length > topic.Length)
                {
                    return FrameResult.Malformed("'topic' is not a topic name");
                }

                for (var i = 0; i < span.Length; i++)
                {
                    topic[i] = (char)span[i];
                }

                topicLength = span.Length;
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                data = reader;
                hasData = true;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                hasType = true;
                delta = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("delta"u8);
            }
            else if (reader.ValueTextEquals("ts"u8))
            {
                reader.Read();
                ts = Int(ref reader, "ts");
            }
            else if (reader.ValueTextEquals("success"u8))
            {
                reader.Read();
                success = reader.TokenType == JsonTokenType.True ? true : reader.TokenType == JsonTokenType.False ? false : null;
            }
            else if (reader.ValueTextEquals("ret_msg"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("op"u8))
            {
                reader.Read();
                hasOp = true;
                subscribeOp = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("subscribe"u8);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return FrameResult.Malformed("trailing content after the JSON object");
        }

        if (topicLength > 0)
        {
            if (!hasData)
            {
                return FrameResult.Malformed("a topic message without 'data'");
            }

            var name = topic[..topicLength];
            if (name.StartsWith("kline."))
            {
                return ReadKlines(ref data, name, receivedAt, events);
            }

            if (name.StartsWith("publicTrade."))
            {
                return ReadTrades(ref data, name, receivedAt, events);
            }

            return name.StartsWith("tickers.") ? ReadTicker(ref data, name, delta, ts ?? receivedAt, receivedAt, events) : FrameResult.Data;
        }

        if (success == false)
        {
            var why = string.IsNullOrEmpty(message) ? "request failed without a message" : message;
            return subscribeOp ? FrameResult.Rejected(why) : FrameResult.Error(why);
        }

        return hasOp || success is not null || hasType ? FrameResult.Control : FrameResult.Malformed("neither a topic message nor a reply");
    }

    private FrameResult ReadKlines(ref Utf8JsonReader reader, scoped ReadOnlySpan<char> topic, long receivedAt, ICollection<MarketEvent> events)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return FrameResult.Malformed("kline 'data' is not an array");
        }

        var subscription = Resolve(topic);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            long? start = null;
            decimal? open = null, high = null, low = null, close = null, volume = null, turnover = null;
            bool? confirm = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("start"u8))
                {
                    reader.Read();
                    start = Int(ref reader, "start");
                }
                else if (reader.ValueTextEquals("open"u8))
                {
                    reader.Read();
                    open = Dec(ref reader, "open");
                }
                else if (reader.ValueTextEquals("high"u8))
                {
                    reader.Read();
                    high = Dec(ref reader, "high");
                }
                else if (reader.ValueTextEquals("low"u8))
                {
                    reader.Read();
                    low = Dec(ref reader, "low");
                }
                else if (reader.ValueTextEquals("close"u8))
                {
                    reader.Read();
                    close = Dec(ref reader, "close");
                }
                else if (reader.ValueTextEquals("volume"u8))
                {
                    reader.Read();
                    volume = Dec(ref reader, "volume");
                }
                else if (reader.ValueTextEquals("turnover"u8))
                {
                    reader.Read();
                    turnover = Dec(ref reader, "turnover");
                }
                else if (reader.ValueTextEquals("confirm"u8))
                {
                    reader.Read();
                    confirm = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => throw new FormatException("'confirm' is not a boolean"),
                    };
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (start is null || open is null || high is null || low is null || close is null || volume is null || confirm is null)
            {
                return FrameResult.Malformed("a kline lacks one of start, open, high, low, close, volume, confirm");
            }

            if (subscription is not null)
            {
                var candle = Inverse
                    ? new Candle(start.Value, open.Value, high.Value, low.Value, close.Value, turnover ?? 0m, volume)
                    : new Candle(start.Value, open.Value, high.Value, low.Value, close.Value, volume.Value, turnover);
                events.Add(new CandleEvent(subscription, receivedAt, candle, confirm.Value));
            }
        }

        return FrameResult.Data;
    }

    private FrameResult ReadTrades(ref Utf8JsonReader reader, scoped ReadOnlySpan<char> topic, long receivedAt, ICollection<MarketEvent> events)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return FrameResult.Malformed("publicTrade 'data' is not an array");
        }

        var subscription = Resolve(topic);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            long? time = null;
            decimal? price = null, size = null;
            string? id = null;
            var side = TradeSide.Unknown;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("T"u8))
                {
                    reader.Read();
                    time = Int(ref reader, "T");
                }
                else if (reader.ValueTextEquals("p"u8))
                {
                    reader.Read();
                    price = Dec(ref reader, "p");
                }
                else if (reader.ValueTextEquals("v"u8))
                {
                    reader.Read();
                    size = Dec(ref reader, "v");
                }
                else if (reader.ValueTextEquals("i"u8))
                {
                    reader.Read();
                    id = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new FormatException("'i' is not a trade id");
                }
                else if (reader.ValueTextEquals("S"u8))
                {
                    reader.Read();
                    side = reader.ValueTextEquals("Buy"u8) ? TradeSide.Buy : reader.ValueTextEquals("Sell"u8) ? TradeSide.Sell : TradeSide.Unknown;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (time is null || price is null || size is null || string.IsNullOrEmpty(id))
            {
                return FrameResult.Malformed("a trade lacks one of T, p, v, i");
            }

            if (subscription is not null)
            {
                events.Add(new TradeEvent(subscription, receivedAt, new Trade(id, time.Value, price.Value, size.Value, side)));
            }
        }

        return FrameResult.Data;
    }

    private FrameResult ReadTicker(ref Utf8JsonReader reader, scoped ReadOnlySpan<char> topic, bool delta, long time, long receivedAt, ICollection<MarketEvent> events)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return FrameResult.Malformed("tickers 'data' is not an object");
        }

        var subscription = Resolve(topic);
        var update = _update;
        update.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("lastPrice"u8))
            {
                reader.Read();
                update.Set(TickerField.Last, OptionalDec(ref reader, "lastPrice"));
            }
            else if (reader.ValueTextEquals("bid1Price"u8))
            {
                reader.Read();
                update.Set(TickerField.Bid, OptionalDec(ref reader, "bid1Price"));
            }
            else if (reader.ValueTextEquals("ask1Price"u8))
            {
                reader.Read();
                update.Set(TickerField.Ask, OptionalDec(ref reader, "ask1Price"));
            }
            else if (reader.ValueTextEquals("highPrice24h"u8))
            {
                reader.Read();
                update.Set(TickerField.High, OptionalDec(ref reader, "highPrice24h"));
            }
            else if (reader.ValueTextEquals("lowPrice24h"u8))
            {
                reader.Read();
                update.Set(TickerField.Low, OptionalDec(ref reader, "lowPrice24h"));
            }
            else if (reader.ValueTextEquals("prevPrice24h"u8))
            {
                reader.Read();
                update.Set(TickerField.Open, OptionalDec(ref reader, "prevPrice24h"));
            }
            else if (reader.ValueTextEquals("volume24h"u8))
            {
                reader.Read();
                update.Set(TickerField.Volume, OptionalDec(ref reader, "volume24h"));
            }
            else if (reader.ValueTextEquals("turnover24h"u8))
            {
                reader.Read();
                update.Set(TickerField.Turnover, OptionalDec(ref reader, "turnover24h"));
            }
            else if (reader.ValueTextEquals("price24hPcnt"u8))
            {
                reader.Read();
                update.Set(TickerField.Percent, OptionalDec(ref reader, "price24hPcnt"));
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (subscription is null)
        {
            return FrameResult.Data;
        }

        if (!delta || !_tickers.TryGetValue(subscription, out var state))
        {
            // A snapshot replaces everything; a delta before any snapshot starts from what it carries.
            _tickers[subscription] = state = new TickerState();
        }

        state.Merge(update);
        var last = state.Get(TickerField.Last);
        var open = state.Get(TickerField.Open);
        var volume = state.Get(TickerField.Volume);
        var turnover = state.Get(TickerField.Turnover);
        events.Add(new TickerEvent(subscription, receivedAt, new Ticker(
            subscription.Symbol,
            time,
            last,
            state.Get(TickerField.Bid),
            state.Get(TickerField.Ask),
            state.Get(TickerField.High),
            state.Get(TickerField.Low),
            open,
            Inverse ? turnover : volume,
            Inverse ? volume : turnover,
            last - open,
            state.Get(TickerField.Percent) * 100m)));
        return FrameResult.Data;
    }

    private StreamSubscription? Resolve(ReadOnlySpan<char> topic)
    {
        if (_lookup.TryGetValue(topic, out var known))
        {
            return known;
        }

        StreamSubscription? subscription = null;
        if (!_live)
        {
            subscription = FromTopic(topic.ToString());
        }

        _subscriptions[topic.ToString()] = subscription;
        return subscription;
    }

    private StreamSubscription? FromTopic(string topic)
    {
        var parts = topic.Split('.');
        var (channel, interval, id) = parts switch
        {
            ["kline", var i, var s] => (StreamChannel.Candles, i, s),
            ["publicTrade", var s] => (StreamChannel.Trades, null, s),
            ["tickers", var s] => (StreamChannel.Tickers, null, s),
            _ => (StreamChannel.Tickers, null, (string?)null),
        };
        if (id is null)
        {
            return null;
        }

        var type = _category == BybitCategory.Spot ? MarketType.Spot : MarketType.Swap;
        var symbol = _symbols.Resolve(id, type);
        if (symbol is null && type == MarketType.Swap)
        {
            type = MarketType.Future;
            symbol = _symbols.Resolve(id, type);
        }

        if (symbol is null)
        {
            return null;
        }

        return channel switch
        {
            StreamChannel.Candles => BybitStreamProtocol.TimeframeOf(interval!) is { } tf ? StreamSubscription.Candles(symbol, type, tf) : null,
            StreamChannel.Trades => StreamSubscription.Trades(symbol, type),
            _ => StreamSubscription.Tickers(symbol, type),
        };
    }

    private enum TickerField
    {
        Last,
        Bid,
        Ask,
        High,
        Low,
        Open,
        Volume,
        Turnover,
        Percent,
    }

    /// <summary>The ticker fields seen so far; a field is "set" once a snapshot or delta carried it (possibly as empty = null).</summary>
    private sealed class TickerState
    {
        private const int Fields = 9;
        private readonly decimal?[] _values = new decimal?[Fields];
        private readonly bool[] _set = new bool[Fields];

        public void Set(TickerField field, decimal? value)
        {
            _values[(int)field] = value;
            _set[(int)field] = true;
        }

        public decimal? Get(TickerField field) => _values[(int)field];

        public void Clear()
        {
            Array.Clear(_values);
            Array.Clear(_set);
        }

        public void Merge(TickerState update)
        {
            for (var i = 0; i < Fields; i++)
            {
                if (update._set[i])
                {
                    _values[i] = update._values[i];
                    _set[i] = true;
                }
            }
        }
    }
}
