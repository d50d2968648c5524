using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Exchanges.Coinbase;
using Coinlake.Exchanges.Kraken.Rest;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Tickers;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Kraken.Socket;

/// <summary>
/// Parses the frames of one Kraken WebSocket connection with <see cref="Utf8JsonReader"/>, API v2 (live) and v1
/// (captures). Never throws on a frame: unreadable frames are <see cref="FrameKind.Malformed"/> and add no event.
/// </summary>
/// <remarks>
/// <para><b>v2</b> ("Spot WebSocket API v2"): <c>{"channel":"ohlc"|"trade"|"ticker","type":"snapshot"|"update","data":[...]}</c>.
/// <list type="bullet">
/// <item><c>ohlc</c> items <c>{symbol, open, high, low, close, trades, volume, vwap, interval_begin (RFC 3339), interval (min)}</c> →
/// a candle opening at <c>interval_begin</c>, volume in the base currency, trade count <c>trades</c>, no quote volume (Kraken's
/// VWAP is rounded); Kraken marks no candle final, so <see cref="CandleEvent.IsClosed"/> is false.</item>
/// <item><c>trade</c> items <c>{symbol, side (taker: buy|sell), price, qty, ord_type, trade_id, timestamp}</c>.</item>
/// <item><c>ticker</c> items <c>{symbol, bid, bid_qty, ask, ask_qty, last, volume, vwap, low, high, change, change_pct[, timestamp]}</c>:
/// open = last − change, quote volume = volume × vwap (as the REST ticker), stamped with <c>timestamp</c> when sent, else the receive time.</item>
/// <item><c>heartbeat</c>, <c>status</c>, <c>{"method":"pong"}</c> and successful <c>subscribe</c> acks are control frames;
/// a <c>subscribe</c> ack with <c>"success":false</c> is <see cref="FrameKind.Rejected"/> with Kraken's <c>error</c>; any
/// other failed request is an <see cref="FrameKind.Error"/>. Other channels (<c>book</c>, <c>level3</c>, <c>instrument</c>) are data without events.</item>
/// </list></para>
/// <para><b>v1</b> ("Spot WebSocket API v1"): <c>[channelID, payload, channelName, pair]</c> with trade rows
/// <c>[price, volume, time (s.µs), side b|s, type, misc(, trade_id)]</c>, ticker objects <c>{a,b,c,v,p,t,l,h,o}</c> (24h values
/// at index 1) and ohlc rows <c>[time, etime, open, high, low, close, vwap, volume, count]</c> (open time = etime − interval);
/// events <c>heartbeat</c>, <c>systemStatus</c>, <c>pong</c> and <c>subscriptionStatus</c> (status <c>error</c> → Rejected with
/// <c>errorMessage</c>). v1 trades of before 2023 carry no trade id: the id is then built from the row itself,
/// <c>time-side-price-volume</c> as sent (e.g. <c>1618678142.557535-s-354.11000000-0.89594024</c>), stable across snapshots
/// but not comparable with REST trade ids.</para>
/// <para>Events belong to <c>StreamSubscription</c>s of the spot market of each frame's pair; on a live connection only
/// those of the connection's group are emitted.</para>
/// </remarks>
internal sealed class KrakenStreamParser : StreamFrameParser
{
    private const int MaxNameLength = 64;

    private readonly StreamSymbols _symbols;
    private readonly Dictionary<StreamSubscription, StreamSubscription>? _wanted;
    private readonly Dictionary<string, Symbol?> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Symbol?>.AlternateLookup<ReadOnlySpan<char>> _nameLookup;
    private readonly Dictionary<(StreamChannel Channel, Symbol Symbol, int Interval), StreamSubscription?> _subscriptions = [];
    private readonly List<MarketEvent> _pending = [];

    public KrakenStreamParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group)
    {
        _symbols = symbols;
        _nameLookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
        if (group is not null)
        {
            _wanted = [];
            foreach (var subscription in group)
            {
                _wanted.TryAdd(subscription, subscription);
            }
        }
    }

    private enum Channel
    {
        None,
        Other,
        Heartbeat,
        Status,
        Ohlc,
        Trade,
        Ticker,
    }

    /// <inheritdoc />
    public override FrameResult Parse(ReadOnlySpan<byte> frame, long receivedAt, ICollection<MarketEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        _pending.Clear();
        FrameResult result;
        try
        {
            var reader = new Utf8JsonReader(frame);
            if (!reader.Read())
            {
                return FrameResult.Malformed("empty frame");
            }

            result = reader.TokenType switch
            {
                JsonTokenType.StartObject => ParseObject(ref reader, receivedAt),
                JsonTokenType.StartArray => ParseV1Array(ref reader, receivedAt),
                _ => FrameResult.Malformed($"a Kraken frame is a JSON object or array, not {reader.TokenType}"),
            };
        }
        catch (JsonException ex)
        {
            result = FrameResult.Malformed($"invalid JSON: {ex.Message}");
        }

        if (result.Kind == FrameKind.Malformed)
        {
            _pending.Clear();
            return result;
        }

        foreach (var item in _pending)
        {
            events.Add(item);
        }

        _pending.Clear();
        return result;
    }

    private FrameResult ParseObject(ref Utf8JsonReader reader, long receivedAt)
    {
        var channel = Channel.None;
        string? method = null;
        string? eventName = null;
        string? status = null;
        string? error = null;
        string? symbol = null;
        bool? success = null;
        var data = default(Utf8JsonReader);
        var hasData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("channel"u8))
            {
                reader.Read();
                channel = reader.TokenType != JsonTokenType.String ? Channel.Other
                    : reader.ValueTextEquals("ohlc"u8) ? Channel.Ohlc
                    : reader.ValueTextEquals("trade"u8) ? Channel.Trade
                    : reader.ValueTextEquals("ticker"u8) ? Channel.Ticker
                    : reader.ValueTextEquals("heartbeat"u8) ? Channel.Heartbeat
                    : reader.ValueTextEquals("status"u8) ? Channel.Status
                    : Channel.Other;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                data = reader;
                hasData = true;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("method"u8))
            {
                reader.Read();
                method = Text(ref reader);
                reader.Skip();
            }
            else if (reader.ValueTextEquals("event"u8))
            {
                reader.Read();
                eventName = Text(ref reader);
                reader.Skip();
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                status = Text(ref reader);
                reader.Skip();
            }
            else if (reader.ValueTextEquals("success"u8))
            {
                reader.Read();
                success = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => null,
                };
                reader.Skip();
            }
            else if (reader.ValueTextEquals("error"u8) || reader.ValueTextEquals("errorMessage"u8))
            {
                reader.Read();
                error = Text(ref reader) ?? error;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("symbol"u8) || reader.ValueTextEquals("pair"u8))
            {
                reader.Read();
                symbol = Text(ref reader);
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (method is not null)
        {
            // v2 request answers ("Subscribe", "Ping"): {"method":"subscribe","success":false,"error":"...","symbol":"..."}.
            if (success != false)
            {
                return FrameResult.Control;
            }

            var why = (error ?? "refused without an error message") + (symbol is null ? string.Empty : $" ({symbol})");
            return method is "subscribe" ? FrameResult.Rejected(why) : FrameResult.Error($"{method}: {why}");
        }

        switch (channel)
        {
            case Channel.Heartbeat or Channel.Status:
                return FrameResult.Control;
            case Channel.Other:
                return FrameResult.Data;
            case Channel.Ohlc or Channel.Trade or Channel.Ticker:
                if (!hasData || data.TokenType != JsonTokenType.StartArray)
                {
                    return FrameResult.Malformed($"the {channel.ToString().ToLowerInvariant()} frame has no 'data' array");
                }

                return ParseV2Data(ref data, channel, receivedAt);
        }

        return eventName switch
        {
            // v1 events ("Spot WebSocket API v1": heartbeat, systemStatus, pong, subscriptionStatus, error).
            null => FrameResult.Malformed("a Kraken object frame has 'channel' (v2 data), 'method' (v2 answer) or 'event' (v1); this one has none"),
            "subscriptionStatus" when status is "error" => FrameResult.Rejected((error ?? "subscription refused") + (symbol is null ? string.Empty : $" ({symbol})")),
            "error" => FrameResult.Error(error ?? "error event without a message"),
            _ => FrameResult.Control,
        };
    }

    private FrameResult ParseV2Data(ref Utf8JsonReader reader, Channel channel, long receivedAt)
    {
        var index = -1;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            index++;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return FrameResult.Malformed($"data[{index}] is {reader.TokenType}, not an object");
            }

            var why = channel switch
            {
                Channel.Ohlc => V2Candle(ref reader, receivedAt),
                Channel.Trade => V2Trade(ref reader, receivedAt),
                _ => V2Ticker(ref reader, receivedAt),
            };
            if (why is not null)
            {
                return FrameResult.Malformed($"data[{index}]: {why}");
            }
        }

        return FrameResult.Data;
    }

    private string? V2Candle(ref Utf8JsonReader reader, long receivedAt)
    {
        Symbol? symbol = null;
        decimal? open = null, high = null, low = null, close = null, volume = null;
        long? trades = null, begin = null, interval = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("symbol"u8))
            {
                reader.Read();
                if (!TryResolve(ref reader, out symbol))
                {
                    return "'symbol' is not a pair name";
                }
            }
            else if (reader.ValueTextEquals("open"u8))
            {
                open = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("high"u8))
            {
                high = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("low"u8))
            {
                low = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("close"u8))
            {
                close = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("volume"u8))
            {
                volume = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("trades"u8))
            {
                reader.Read();
                trades = KrakenEnvelope.TryInt64(ref reader, out var t) ? t : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("interval"u8))
            {
                reader.Read();
                interval = KrakenEnvelope.TryInt64(ref reader, out var i) ? i : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("interval_begin"u8))
            {
                reader.Read();
                begin = ReadTime(ref reader);
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (open is not { } o || high is not { } h || low is not { } l || close is not { } c || volume is not { } v)
        {
            return "an ohlc item needs open, high, low, close and volume as decimals";
        }

        if (begin is not { } openTime || interval is not { } minutes)
        {
            return "an ohlc item needs interval_begin (RFC 3339) and interval (minutes)";
        }

        if (symbol is null || KrakenStreamProtocol.TimeframeOf(minutes) is not { } tf)
        {
            return null; // a pair or interval this stream does not map: nothing to emit
        }

        if (SubscriptionOf(StreamChannel.Candles, symbol, (int)minutes, tf) is { } subscription)
        {
            _pending.Add(new CandleEvent(subscription, receivedAt, new Candle(openTime, o, h, l, c, v, null, trades), false));
        }

        return null;
    }

    private string? V2Trade(ref Utf8JsonReader reader, long receivedAt)
    {
        Symbol? symbol = null;
        decimal? price = null, qty = null;
        long? time = null;
        string? id = null;
        var side = TradeSide.Unknown;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("symbol"u8))
            {
                reader.Read();
                if (!TryResolve(ref reader, out symbol))
                {
                    return "'symbol' is not a pair name";
                }
            }
            else if (reader.ValueTextEquals("price"u8))
            {
                price = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("qty"u8))
            {
                qty = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("side"u8))
            {
                reader.Read();
                side = reader.ValueTextEquals("buy"u8) ? TradeSide.Buy : reader.ValueTextEquals("sell"u8) ? TradeSide.Sell : TradeSide.Unknown;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("trade_id"u8))
            {
                reader.Read();
                id = KrakenEnvelope.TryInt64(ref reader, out var n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                time = ReadTime(ref reader);
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (price is not { } p || qty is not { } q || time is not { } t || id is null)
        {
            return "a trade item needs price, qty, trade_id and timestamp";
        }

        if (symbol is not null && SubscriptionOf(StreamChannel.Trades, symbol, 0, null) is { } subscription)
        {
            _pending.Add(new TradeEvent(subscription, receivedAt, new Trade(id, t, p, q, side)));
        }

        return null;
    }

    private string? V2Ticker(ref Utf8JsonReader reader, long receivedAt)
    {
        Symbol? symbol = null;
        decimal? bid = null, ask = null, last = null, volume = null, vwap = null, low = null, high = null, change = null, percent = null;
        long? time = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("symbol"u8))
            {
                reader.Read();
                if (!TryResolve(ref reader, out symbol))
                {
                    return "'symbol' is not a pair name";
                }
            }
            else if (reader.ValueTextEquals("bid"u8))
            {
                bid = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("ask"u8))
            {
                ask = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("last"u8))
            {
                last = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("volume"u8))
            {
                volume = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("vwap"u8))
            {
                vwap = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("low"u8))
            {
                low = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("high"u8))
            {
                high = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("change"u8))
            {
                change = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("change_pct"u8))
            {
                percent = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                time = ReadTime(ref reader);
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (last is null && bid is null && ask is null)
        {
            return "a ticker item carries none of last, bid and ask";
        }

        if (symbol is not null && SubscriptionOf(StreamChannel.Tickers, symbol, 0, null) is { } subscription)
        {
            var open = last is { } l && change is { } ch ? l - ch : (decimal?)null;
            var quoteVolume = volume is { } v && vwap is { } w ? v * w : (decimal?)null;
            _pending.Add(new TickerEvent(subscription, receivedAt,
                new Ticker(symbol, time ?? receivedAt, last, bid, ask, high, low, open, volume, quoteVolume, change, percent)));
        }

        return null;
    }

    private FrameResult ParseV1Array(ref Utf8JsonReader reader, long receivedAt)
    {
        // [channelID, payload (, payload), channelName, pair]: the last two elements name the channel and the pair.
        var payload = default(Utf8JsonReader);
        var elements = 0;
        ReadOnlySpan<byte> previous = default, last = default;
        var previousIsString = false;
        var lastIsString = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            elements++;
            if (elements == 2)
            {
                payload = reader;
            }

            previous = last;
            previousIsString = lastIsString;
            lastIsString = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped;
            last = lastIsString ? reader.ValueSpan : default;
            reader.Skip();
        }

        if (elements < 4 || !previousIsString || !lastIsString)
        {
            return FrameResult.Malformed("a v1 data frame is [channelID, payload, channelName, pair]");
        }

        var channelName = previous;
        var symbol = Resolve(last);
        if (channelName.SequenceEqual("trade"u8))
        {
            return V1Trades(ref payload, symbol, receivedAt);
        }

        if (channelName.SequenceEqual("ticker"u8))
        {
            return V1Ticker(ref payload, symbol, receivedAt);
        }

        if (channelName.StartsWith("ohlc-"u8))
        {
            if (!Utf8Parser.TryParse(channelName[5..], out int minutes, out var consumed) || consumed != channelName.Length - 5)
            {
                return FrameResult.Malformed($"channel '{Encoding.UTF8.GetString(channelName)}' has no interval");
            }

            return V1Candle(ref payload, symbol, minutes, receivedAt);
        }

        return FrameResult.Data; // book-*, spread: not collected
    }

    private FrameResult V1Trades(ref Utf8JsonReader reader, Symbol? symbol, long receivedAt)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return FrameResult.Malformed("a v1 trade payload is an array of rows");
        }

        var subscription = symbol is null ? null : SubscriptionOf(StreamChannel.Trades, symbol, 0, null);
        var row = -1;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            row++;
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return FrameResult.Malformed($"trade row {row} is not an array");
            }

            decimal? price = null, volume = null;
            long? ms = null;
            var side = TradeSide.Unknown;
            string? id = null;
            string? priceText = null, volumeText = null, timeText = null, sideText = null;
            var field = -1;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                field++;
                switch (field)
                {
                    case 0:
                        price = Decimal(ref reader);
                        priceText = IdPart(ref reader);
                        break;
                    case 1:
                        volume = Decimal(ref reader);
                        volumeText = IdPart(ref reader);
                        break;
                    case 2:
                        ms = SecondsToMs(Raw(ref reader));
                        timeText = IdPart(ref reader);
                        break;
                    case 3:
                        side = reader.ValueTextEquals("b"u8) ? TradeSide.Buy : reader.ValueTextEquals("s"u8) ? TradeSide.Sell : TradeSide.Unknown;
                        sideText = IdPart(ref reader);
                        break;
                    case 6:
                        id = KrakenEnvelope.TryInt64(ref reader, out var n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
                        break;
                }

                reader.Skip();
            }

            if (price is not { } p || volume is not { } v || ms is not { } t)
            {
                return FrameResult.Malformed($"trade row {row} needs [price, volume, time, side, ...]");
            }

            if (subscription is not null)
            {
                id ??= $"{timeText}-{sideText}-{priceText}-{volumeText}";
                _pending.Add(new TradeEvent(subscription, receivedAt, new Trade(id, t, p, v, side)));
            }
        }

        return FrameResult.Data;
    }

    private FrameResult V1Ticker(ref Utf8JsonReader reader, Symbol? symbol, long receivedAt)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return FrameResult.Malformed("a v1 ticker payload is an object");
        }

        decimal? ask = null, bid = null, last = null, volume = null, vwap = null, low = null, high = null, open = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            var index = name.Length == 1 && name[0] is (byte)'a' or (byte)'b' or (byte)'c' ? 0 : 1;
            var key = name.Length == 1 ? name[0] : (byte)0;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            decimal? value = null;
            var i = -1;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                i++;
                if (i == index)
                {
                    value = Decimal(ref reader);
                }

                reader.Skip();
            }

            switch (key)
            {
                case (byte)'a': ask = value; break;
                case (byte)'b': bid = value; break;
                case (byte)'c': last = value; break;
                case (byte)'v': volume = value; break;
                case (byte)'p': vwap = value; break;
                case (byte)'l': low = value; break;
                case (byte)'h': high = value; break;
                case (byte)'o': open = value; break;
            }
        }

        if (last is null && bid is null && ask is null)
        {
            return FrameResult.Malformed("a v1 ticker carries none of c (last), b (bid) and a (ask)");
        }

        if (symbol is not null && SubscriptionOf(StreamChannel.Tickers, symbol, 0, null) is { } subscription)
        {
            var change = last is { } l && open is { } o ? l - o : (decimal?)null;
            var percent = change is { } ch && open is { } op && op != 0 ? decimal.Round(ch / op * 100m, 8, MidpointRounding.AwayFromZero) : (decimal?)null;
            var quoteVolume = volume is { } v && vwap is { } w ? v * w : (decimal?)null;
            _pending.Add(new TickerEvent(subscription, receivedAt,
                new Ticker(symbol, receivedAt, last, bid, ask, high, low, open, volume, quoteVolume, change, percent)));
        }

        return FrameResult.Data;
    }

    private FrameResult V1Candle(ref Utf8JsonReader reader, Symbol? symbol, int minutes, long receivedAt)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return FrameResult.Malformed("a v1 ohlc payload is an array");
        }

        Span<decimal> values = stackalloc decimal[6]; // open, high, low, close, vwap, volume
        long? end = null;
        long? count = null;
        var field = -1;
        var present = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            field++;
            if (field == 1)
            {
                end = SecondsToMs(Raw(ref reader));
            }
            else if (field is >= 2 and <= 7 && Decimal(ref reader) is { } d)
            {
                values[field - 2] = d;
                present++;
            }
            else if (field == 8)
            {
                count = KrakenEnvelope.TryInt64(ref reader, out var c) ? c : null;
            }

            reader.Skip();
        }

        if (end is not { } endMs || present != 6)
        {
            return FrameResult.Malformed("a v1 ohlc row is [time, etime, open, high, low, close, vwap, volume, count]");
        }

        if (symbol is not null && KrakenStreamProtocol.TimeframeOf(minutes) is { } tf
            && SubscriptionOf(StreamChannel.Candles, symbol, minutes, tf) is { } subscription)
        {
            var candle = new Candle(endMs - (minutes * 60_000L), values[0], values[1], values[2], values[3], values[5], null, count);
            _pending.Add(new CandleEvent(subscription, receivedAt, candle, false));
        }

        return FrameResult.Data;
    }

    private StreamSubscription? SubscriptionOf(StreamChannel channel, Symbol symbol, int interval, Time.Timeframe? timeframe)
    {
        var key = (channel, symbol, interval);
        if (_subscriptions.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var subscription = new StreamSubscription(symbol, MarketType.Spot, channel, timeframe);
        StreamSubscription? result = subscription;
        if (_wanted is not null)
        {
            result = _wanted.TryGetValue(subscription, out var mine) ? mine : null;
        }

        _subscriptions[key] = result;
        return result;
    }

    private bool TryResolve(ref Utf8JsonReader reader, out Symbol? symbol)
    {
        symbol = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        symbol = reader.ValueIsEscaped ? ResolveString(reader.GetString()!) : Resolve(reader.ValueSpan);
        return true;
    }

    private Symbol? Resolve(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength)
        {
            return null;
        }

        Span<char> chars = stackalloc char[MaxNameLength * 2];
        var count = Encoding.UTF8.GetChars(name, chars);
        if (_nameLookup.TryGetValue(chars[..count], out var known))
        {
            return known;
        }

        return ResolveString(new string(chars[..count]));
    }

    private Symbol? ResolveString(string name)
    {
        if (_names.TryGetValue(name, out var known))
        {
            return known;
        }

        var symbol = _symbols.Resolve(name, MarketType.Spot);
        if (_names.Count < 10_000)
        {
            _names[name] = symbol;
        }

        return symbol;
    }

    private static string? Text(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.String ? reader.GetString() : null;

    private static ReadOnlySpan<byte> Raw(ref Utf8JsonReader reader) =>
        reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.HasValueSequence ? reader.ValueSpan : default;

    private static string? IdPart(ref Utf8JsonReader reader) =>
        reader.TokenType is JsonTokenType.String or JsonTokenType.Number ? Encoding.UTF8.GetString(Raw(ref reader)) : null;

    private static decimal? ReadDecimal(ref Utf8JsonReader reader)
    {
        reader.Read();
        var value = Decimal(ref reader);
        reader.Skip();
        return value;
    }

    /// <summary>An exact decimal from a JSON number (v2) or numeric string (v1), exponent notation included.</summary>
    private static decimal? Decimal(ref Utf8JsonReader reader)
    {
        if (KrakenEnvelope.TryDecimal(ref reader, out var value))
        {
            return value;
        }

        if (reader.TokenType is JsonTokenType.Number or JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence
            && Utf8Parser.TryParse(reader.ValueSpan, out value, out var consumed, 'E') && consumed == reader.ValueSpan.Length && consumed > 0)
        {
            return value;
        }

        return null;
    }

    /// <summary>An RFC 3339 time (<c>2023-10-04T15:25:00.000000000Z</c>) to ms since epoch UTC, sub-millisecond digits truncated.</summary>
    private static long? ReadTime(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence
            && CoinbaseJson.TryParseIsoMs(reader.ValueSpan, out var ms) ? ms : null;

    /// <summary>Seconds with a fraction (<c>1618678142.557535</c>) to ms since epoch UTC, floored, from the digits as sent.</summary>
    private static long? SecondsToMs(ReadOnlySpan<byte> text)
    {
        var dot = text.IndexOf((byte)'.');
        var whole = dot < 0 ? text : text[..dot];
        if (whole.IsEmpty || !Utf8Parser.TryParse(whole, out long seconds, out var consumed) || consumed != whole.Length || seconds is < 0 or > 100_000_000_000)
        {
            return null;
        }

        long ms = 0;
        var digits = 0;
        if (dot >= 0)
        {
            foreach (var b in text[(dot + 1)..])
            {
                if (b is < (byte)'0' or > (byte)'9')
                {
                    return null;
                }

                if (digits < 3)
                {
                    ms = (ms * 10) + (b - '0');
                    digits++;
                }
            }
        }

        for (; digits < 3; digits++)
        {
            ms *= 10;
        }

        return (seconds * 1000) + ms;
    }
}
