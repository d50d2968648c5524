using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Exchanges.Okx.Rest;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Tickers;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Okx.Socket;

/// <summary>
/// Parses the frames of one OKX v5 connection with <see cref="Utf8JsonReader"/>:
/// <list type="bullet">
/// <item><c>pong</c> (answer to the text <c>ping</c>) and events <c>subscribe</c>, <c>unsubscribe</c>, <c>notice</c>
/// (e.g. 64008, "the connection will soon be closed for a service upgrade"), <c>channel-conn-count</c> → Control;</item>
/// <item>event <c>error</c> ("Overview / WebSocket / Subscribe": <c>{"event":"error","code":"60012","msg":..}</c>) →
/// Rejected for request errors (<c>60012</c> invalid request, <c>60013</c> invalid args, <c>60018</c> wrong URL or
/// channel / instrument does not exist, <c>64003</c> not allowed), else Error;</item>
/// <item><c>{"arg":{"channel","instId"},"data":[..]}</c> → Data: <c>candle*</c> rows <c>[ts,o,h,l,c,vol,volCcy,
/// volCcyQuote,confirm]</c> ("Candlesticks channel"; volume = <c>vol</c> (base) for spot, <c>volCcy</c> (base) for
/// derivatives, whose <c>vol</c> counts contracts; quote volume <c>volCcyQuote</c>), <c>mark-price-candle*</c> /
/// <c>index-candle*</c> rows <c>[ts,o,h,l,c,confirm]</c>; <c>confirm</c> 1 marks the candle closed. <c>trades-all</c>
/// ("All trades channel", one trade an update) and <c>trades</c> ("Trades channel", read for recorded captures)
/// objects <c>{instId,tradeId,px,sz,side,ts}</c> (<c>sz</c> in contracts for derivatives, as REST). <c>tickers</c> objects ("Tickers channel") mapped as <see cref="OkxClient.GetTickersAsync"/> maps REST
/// tickers. Channels Coinlake does not read (books ...) are Data without events.</item>
/// </list>
/// Anything else, or a data frame missing a required field, is Malformed; nothing throws.
/// </summary>
internal sealed class OkxStreamParser : StreamFrameParser
{
    private const int KeyBufferLength = 160;

    private readonly StreamSymbols _symbols;
    private readonly bool _replay;
    private readonly Dictionary<string, Route?> _routes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Route?>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<MarketEvent> _pending = new(16);

    /// <summary>Creates the parser of a connection carrying <paramref name="group"/> (null on replay: routes are read off the frames).</summary>
    public OkxStreamParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group)
    {
        _symbols = symbols;
        _replay = group is null;
        _lookup = _routes.GetAlternateLookup<ReadOnlySpan<char>>();
        if (group is null)
        {
            return;
        }

        var bySubscriptionKey = new Dictionary<string, List<StreamSubscription>>(StringComparer.Ordinal);
        foreach (var subscription in group)
        {
            var (channel, instId) = OkxStreamProtocol.Argument(subscription, symbols);
            var key = channel + "|" + instId;
            if (!bySubscriptionKey.TryGetValue(key, out var list))
            {
                bySubscriptionKey[key] = list = [];
            }

            list.Add(subscription);
        }

        foreach (var (key, list) in bySubscriptionKey)
        {
            var first = list[0];
            _routes[key] = new Route(KindOf(first), [.. list]);
        }
    }

    private enum Kind
    {
        Trades,
        Tickers,
        SpotCandles,
        DerivativeCandles,
        PriceCandles,
    }

    /// <inheritdoc/>
    public override FrameResult Parse(ReadOnlySpan<byte> frame, long receivedAt, ICollection<MarketEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (frame.SequenceEqual("pong"u8))
        {
            return FrameResult.Control;
        }

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
            return FrameResult.Malformed("not a JSON object (nor 'pong')");
        }

        Range channelRange = default, instIdRange = default;
        string? evt = null, code = null, msg = null;
        int dataStart = -1, dataEnd = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("arg"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("channel"u8))
                    {
                        reader.Read();
                        channelRange = Plain(ref reader);
                    }
                    else if (reader.ValueTextEquals("instId"u8))
                    {
                        reader.Read();
                        instIdRange = Plain(ref reader);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                dataStart = (int)reader.TokenStartIndex;
                reader.Skip();
                dataEnd = (int)reader.BytesConsumed;
            }
            else if (reader.ValueTextEquals("event"u8))
            {
                reader.Read();
                evt = reader.GetString();
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                code = reader.TokenType == JsonTokenType.String ? reader.GetString() : Encoding.UTF8.GetString(reader.ValueSpan);
            }
            else if (reader.ValueTextEquals("msg"u8))
            {
                reader.Read();
                msg = reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (evt is not null)
        {
            return evt switch
            {
                "error" => IsRequestError(code)
                    ? FrameResult.Rejected($"OKX refused the subscription: {msg} (code {code})")
                    : FrameResult.Error($"OKX error {code}: {msg}"),
                _ => FrameResult.Control,
            };
        }

        var channel = frame[channelRange];
        var instId = frame[instIdRange];
        if (dataStart < 0 || channel.IsEmpty)
        {
            return FrameResult.Malformed("neither an event nor an {\"arg\",\"data\"} push");
        }

        var route = FindRoute(channel, instId);
        if (route is null)
        {
            return FrameResult.Data; // a channel Coinlake does not read (books ...) or an instrument it cannot resolve
        }

        var data = frame[dataStart..dataEnd];
        return route.Kind switch
        {
            Kind.Trades => ParseTrades(data, route, receivedAt),
            Kind.Tickers => ParseTickers(data, route, receivedAt),
            _ => ParseCandles(data, route, receivedAt),
        };
    }

    private static bool IsRequestError(string? code) => code is "60012" or "60013" or "60018" or "64003";

    /// <summary>Where a plain string value lies in the frame (channel names and instrument ids need no JSON escapes; an escaped one counts as absent).</summary>
    private static Range Plain(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            reader.Skip();
            return default;
        }

        var start = (int)reader.TokenStartIndex + 1;
        return new Range(start, start + reader.ValueSpan.Length);
    }

    private Route? FindRoute(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> instId)
    {
        var length = channel.Length + 1 + instId.Length;
        Span<char> buffer = length <= KeyBufferLength ? stackalloc char[KeyBufferLength] : new char[length];
        var written = Encoding.UTF8.GetChars(channel, buffer);
        buffer[written++] = '|';
        written += Encoding.UTF8.GetChars(instId, buffer[written..]);
        var key = buffer[..written];
        if (_lookup.TryGetValue(key, out var route))
        {
            return route;
        }

        if (!_replay)
        {
            return null;
        }

        route = ReplayRoute(Encoding.UTF8.GetString(channel), Encoding.UTF8.GetString(instId));
        _routes[key.ToString()] = route;
        return route;
    }

    /// <summary>On replay: the subscription a frame's channel and instrument stand for, or null when Coinlake does not read the channel or cannot resolve the instrument.</summary>
    private Route? ReplayRoute(string channel, string instId)
    {
        StreamChannel streamChannel;
        Coinlake.Time.Timeframe? timeframe = null;
        var price = PriceType.Last;
        if (channel is "trades-all" or "trades")
        {
            streamChannel = StreamChannel.Trades;
        }
        else if (channel == "tickers")
        {
            streamChannel = StreamChannel.Tickers;
        }
        else
        {
            string bar;
            if (channel.StartsWith("mark-price-candle", StringComparison.Ordinal))
            {
                (price, bar) = (PriceType.Mark, channel["mark-price-candle".Length..]);
            }
            else if (channel.StartsWith("index-candle", StringComparison.Ordinal))
            {
                (price, bar) = (PriceType.Index, channel["index-candle".Length..]);
            }
            else if (channel.StartsWith("candle", StringComparison.Ordinal))
            {
                bar = channel["candle".Length..];
            }
            else
            {
                return null;
            }

            timeframe = OkxBars.Parse(bar);
            if (timeframe is null)
            {
                return null;
            }

            streamChannel = StreamChannel.Candles;
        }

        // Index candles name the index (BTC-USD): attribute them to the family's perpetual swap.
        var id = price == PriceType.Index ? instId + "-SWAP" : instId;
        if (OkxStreamIds.TypeOf(id) is not { } type || _symbols.Resolve(id, type) is not { } symbol)
        {
            return null;
        }

        var subscription = new StreamSubscription(symbol, type, streamChannel, timeframe, price);
        return new Route(KindOf(subscription), [subscription]);
    }

    private static Kind KindOf(StreamSubscription subscription) => subscription.Channel switch
    {
        StreamChannel.Trades => Kind.Trades,
        StreamChannel.Tickers => Kind.Tickers,
        _ when subscription.Price != PriceType.Last => Kind.PriceCandles,
        _ when subscription.MarketType == MarketType.Spot => Kind.SpotCandles,
        _ => Kind.DerivativeCandles,
    };

    private FrameResult ParseCandles(ReadOnlySpan<byte> data, Route route, long receivedAt)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return FrameResult.Malformed("candle data is not an array");
        }

        Span<Range> fields = stackalloc Range[10];
        var row = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
        {
            row++;
            var count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                {
                    return FrameResult.Malformed($"candle row {row}: field {count + 1} is {reader.TokenType}, not a plain string");
                }

                if (count < fields.Length)
                {
                    var start = (int)reader.TokenStartIndex + 1;
                    fields[count] = new Range(start, start + reader.ValueSpan.Length);
                }

                count++;
            }

            var priceOnly = route.Kind == Kind.PriceCandles;
            var minimum = priceOnly ? 5 : 7;
            if (count < minimum)
            {
                return FrameResult.Malformed($"candle row {row} has {count} fields; expected at least {minimum}");
            }

            if (!TryLong(data[fields[0]], out var openTime)
                || !TryDecimal(data[fields[1]], out var open) || !TryDecimal(data[fields[2]], out var high)
                || !TryDecimal(data[fields[3]], out var low) || !TryDecimal(data[fields[4]], out var close))
            {
                return FrameResult.Malformed($"candle row {row}: ts, o, h, l or c is not a number");
            }

            var confirmIndex = priceOnly ? 5 : 8;
            var closed = count > confirmIndex && data[fields[confirmIndex]] is [(byte)'1'];
            Candle candle;
            if (priceOnly)
            {
                candle = new Candle(openTime, open, high, low, close, 0);
            }
            else
            {
                if (!TryDecimal(data[fields[5]], out var vol) || !TryDecimal(data[fields[6]], out var volCcy))
                {
                    return FrameResult.Malformed($"candle row {row}: vol or volCcy is not a number");
                }

                decimal? volCcyQuote = null;
                if (count > 7 && data[fields[7]].Length > 0)
                {
                    if (!TryDecimal(data[fields[7]], out var q))
                    {
                        return FrameResult.Malformed($"candle row {row}: volCcyQuote is not a number");
                    }

                    volCcyQuote = q;
                }

                candle = route.Kind == Kind.SpotCandles
                    ? new Candle(openTime, open, high, low, close, vol, volCcyQuote ?? volCcy)
                    : new Candle(openTime, open, high, low, close, volCcy, volCcyQuote);
            }

            foreach (var subscription in route.Subscriptions)
            {
                _pending.Add(new CandleEvent(subscription, receivedAt, candle, closed));
            }
        }

        return reader.TokenType == JsonTokenType.EndArray ? FrameResult.Data : FrameResult.Malformed($"candle row {row + 1} is not an array");
    }

    private FrameResult ParseTrades(ReadOnlySpan<byte> data, Route route, long receivedAt)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return FrameResult.Malformed("trade data is not an array");
        }

        var row = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            row++;
            string? id = null;
            long ts = 0;
            decimal px = 0, sz = 0;
            bool hasTs = false, hasPx = false, hasSz = false;
            var side = TradeSide.Unknown;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("tradeId"u8))
                {
                    reader.Read();
                    id = reader.GetString();
                }
                else if (reader.ValueTextEquals("px"u8))
                {
                    hasPx = TryDecimal(Value(ref reader), out px);
                }
                else if (reader.ValueTextEquals("sz"u8))
                {
                    hasSz = TryDecimal(Value(ref reader), out sz);
                }
                else if (reader.ValueTextEquals("ts"u8))
                {
                    hasTs = TryLong(Value(ref reader), out ts);
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

            if (string.IsNullOrEmpty(id) || !hasTs || !hasPx || !hasSz)
            {
                return FrameResult.Malformed($"trade {row} lacks a valid tradeId, ts, px or sz");
            }

            var trade = new Trade(id, ts, px, sz, side);
            foreach (var subscription in route.Subscriptions)
            {
                _pending.Add(new TradeEvent(subscription, receivedAt, trade));
            }
        }

        return reader.TokenType == JsonTokenType.EndArray ? FrameResult.Data : FrameResult.Malformed($"trade {row + 1} is not an object");
    }

    private FrameResult ParseTickers(ReadOnlySpan<byte> data, Route route, long receivedAt)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return FrameResult.Malformed("ticker data is not an array");
        }

        var row = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            row++;
            long ts = 0;
            decimal? last = null, bid = null, ask = null, high = null, low = null, open = null, vol = null, volCcy = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("ts"u8))
                {
                    _ = TryLong(Value(ref reader), out ts);
                }
                else if (reader.ValueTextEquals("last"u8))
                {
                    last = Optional(Value(ref reader));
                }
                else if (reader.ValueTextEquals("bidPx"u8))
                {
                    bid = Optional(Value(ref reader));
                }
                else if (reader.ValueTextEquals("askPx"u8))
                {
                    ask = Optional(Value(ref reader));
                }
                else if (reader.ValueTextEquals("high24h"u8))
                {
                    high = Optional(Value(ref reader));
                }
                else if (reader.ValueTextEquals("low24h"u8))
                {
                    low = Optional(Value(ref reader));
                }
                else if (reader.ValueTextEquals("open24h"u8))
                {
                    open = Optional(Value(ref reader));
                }
                else if (reader.ValueTextEquals("vol24h"u8))
                {
                    vol = Optional(Value(ref reader));
                }
                else if (reader.ValueTextEquals("volCcy24h"u8))
                {
                    volCcy = Optional(Value(ref reader));
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            foreach (var subscription in route.Subscriptions)
            {
                var spot = subscription.MarketType == MarketType.Spot;
                decimal? change = last is { } l && open is { } o ? l - o : null;
                decimal? percent = change is { } c && open is { } o2 && o2 != 0 ? decimal.Round(c / o2 * 100, 8, MidpointRounding.AwayFromZero) : null;
                var ticker = new Ticker(subscription.Symbol, ts > 0 ? ts : receivedAt, last, bid, ask, high, low, open,
                    spot ? vol : volCcy, spot ? volCcy : null, change, percent);
                _pending.Add(new TickerEvent(subscription, receivedAt, ticker));
            }
        }

        return reader.TokenType == JsonTokenType.EndArray ? FrameResult.Data : FrameResult.Malformed($"ticker {row + 1} is not an object");
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

    /// <summary>Where a channel and instrument's rows go: their kind and the subscriptions they feed.</summary>
    private sealed record Route(Kind Kind, StreamSubscription[] Subscriptions);
}
