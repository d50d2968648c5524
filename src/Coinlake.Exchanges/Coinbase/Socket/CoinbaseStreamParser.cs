using System.Text;
using System.Text.Json;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Tickers;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Coinbase.Socket;

/// <summary>
/// Parses the frames of one Coinbase Exchange feed connection with <see cref="Utf8JsonReader"/> in one pass over the
/// flat message object. Never throws on a frame: unreadable frames are <see cref="FrameKind.Malformed"/> and add no event.
/// </summary>
/// <remarks>
/// ("Exchange WebSocket Channels")
/// <list type="bullet">
/// <item><c>match</c> and <c>last_match</c> (the latest trade, sent once after subscribing) → a trade: id <c>trade_id</c>,
/// time <c>time</c> (ISO-8601, ms UTC), price and <c>size</c> exact. <c>side</c> is the MAKER's side ("Matches Channel": a
/// <c>sell</c> side is an up-tick), so the taker side is its opposite: <c>sell</c> → <see cref="TradeSide.Buy"/>.</item>
/// <item><c>ticker</c> → a ticker: last <c>price</c>, <c>best_bid</c>, <c>best_ask</c>, <c>high_24h</c>, <c>low_24h</c>,
/// <c>open_24h</c>, base volume <c>volume_24h</c>, no quote volume (as the REST ticker), change = last − open, percent =
/// change / open × 100; stamped with <c>time</c> (the receive time when absent).</item>
/// <item><c>subscriptions</c> and <c>heartbeat</c> are control frames; <c>error</c> with <c>"message":"Failed to subscribe"</c>
/// is <see cref="FrameKind.Rejected"/> (message and <c>reason</c>), any other <c>error</c> an <see cref="FrameKind.Error"/>.
/// Other types (<c>snapshot</c>, <c>l2update</c>, <c>status</c>, full-channel messages) are data without events.</item>
/// </list>
/// </remarks>
internal sealed class CoinbaseStreamParser : StreamFrameParser
{
    private const int MaxIdLength = 64;

    private readonly StreamSymbols _symbols;
    private readonly Dictionary<StreamSubscription, StreamSubscription>? _wanted;
    private readonly Dictionary<string, Symbol?> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Symbol?>.AlternateLookup<ReadOnlySpan<char>> _nameLookup;
    private readonly Dictionary<(StreamChannel Channel, Symbol Symbol), StreamSubscription?> _subscriptions = [];

    public CoinbaseStreamParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group)
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

    private enum Kind
    {
        None,
        Other,
        Match,
        Ticker,
        Control,
        Error,
    }

    /// <inheritdoc />
    public override FrameResult Parse(ReadOnlySpan<byte> frame, long receivedAt, ICollection<MarketEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        try
        {
            var reader = new Utf8JsonReader(frame);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return FrameResult.Malformed("a Coinbase feed frame is a JSON object");
            }

            return ParseObject(ref reader, receivedAt, events);
        }
        catch (JsonException ex)
        {
            return FrameResult.Malformed($"invalid JSON: {ex.Message}");
        }
    }

    private FrameResult ParseObject(ref Utf8JsonReader reader, long receivedAt, ICollection<MarketEvent> events)
    {
        var kind = Kind.None;
        Symbol? symbol = null;
        var hasProduct = false;
        decimal? price = null, size = null, bid = null, ask = null, open = null, high = null, low = null, volume = null;
        long? time = null;
        string? tradeId = null, message = null, reason = null;
        var makerSide = TradeSide.Unknown;
        var timeInvalid = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                kind = reader.TokenType != JsonTokenType.String ? Kind.Other
                    : reader.ValueTextEquals("match"u8) || reader.ValueTextEquals("last_match"u8) ? Kind.Match
                    : reader.ValueTextEquals("ticker"u8) ? Kind.Ticker
                    : reader.ValueTextEquals("heartbeat"u8) || reader.ValueTextEquals("subscriptions"u8) ? Kind.Control
                    : reader.ValueTextEquals("error"u8) ? Kind.Error
                    : Kind.Other;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("product_id"u8))
            {
                reader.Read();
                hasProduct = reader.TokenType == JsonTokenType.String;
                symbol = hasProduct ? Resolve(ref reader) : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("trade_id"u8))
            {
                reader.Read();
                tradeId = CoinbaseJson.TryReadInt64(ref reader, out var id) ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("side"u8))
            {
                reader.Read();
                makerSide = reader.ValueTextEquals("buy"u8) ? TradeSide.Buy : reader.ValueTextEquals("sell"u8) ? TradeSide.Sell : TradeSide.Unknown;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("time"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && CoinbaseJson.TryParseIsoMs(reader.ValueSpan, out var ms))
                {
                    time = ms;
                }
                else
                {
                    timeInvalid = reader.TokenType != JsonTokenType.Null;
                }
                reader.Skip();
            }
            else if (reader.ValueTextEquals("price"u8))
            {
                price = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("size"u8))
            {
                size = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("best_bid"u8))
            {
                bid = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("best_ask"u8))
            {
                ask = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("open_24h"u8))
            {
                open = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("high_24h"u8))
            {
                high = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("low_24h"u8))
            {
                low = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("volume_24h"u8))
            {
                volume = ReadDecimal(ref reader);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("reason"u8))
            {
                reader.Read();
                reason = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        switch (kind)
        {
            case Kind.None:
                return FrameResult.Malformed("a Coinbase feed message has a 'type'; this one has none");
            case Kind.Control:
                return FrameResult.Control;
            case Kind.Error:
                var text = (message ?? "error") + (reason is null ? string.Empty : ": " + reason);
                return message is not null && message.Contains("subscribe", StringComparison.OrdinalIgnoreCase)
                    ? FrameResult.Rejected(text)
                    : FrameResult.Error(text);
            case Kind.Match:
                if (!hasProduct || tradeId is null || price is not { } p || size is not { } q || time is not { } t)
                {
                    return FrameResult.Malformed("a match needs product_id, trade_id, price, size and time");
                }

                if (symbol is not null && SubscriptionOf(StreamChannel.Trades, symbol) is { } trades)
                {
                    // "side" is the maker's order side: the taker did the opposite.
                    var taker = makerSide switch
                    {
                        TradeSide.Buy => TradeSide.Sell,
                        TradeSide.Sell => TradeSide.Buy,
                        _ => TradeSide.Unknown,
                    };
                    events.Add(new TradeEvent(trades, receivedAt, new Trade(tradeId, t, p, q, taker)));
                }

                return FrameResult.Data;
            case Kind.Ticker:
                if (!hasProduct || timeInvalid || (price is null && bid is null && ask is null))
                {
                    return FrameResult.Malformed("a ticker needs product_id, an ISO-8601 time when it has one, and price, best_bid or best_ask");
                }

                if (symbol is not null && SubscriptionOf(StreamChannel.Tickers, symbol) is { } tickers)
                {
                    var change = price is { } l && open is { } o ? l - o : (decimal?)null;
                    var percent = change is { } c && open is { } o2 && o2 != 0 ? c / o2 * 100m : (decimal?)null;
                    events.Add(new TickerEvent(tickers, receivedAt,
                        new Ticker(symbol, time ?? receivedAt, price, bid, ask, high, low, open, volume, null, change, percent)));
                }

                return FrameResult.Data;
            default:
                return FrameResult.Data;
        }
    }

    private StreamSubscription? SubscriptionOf(StreamChannel channel, Symbol symbol)
    {
        if (_subscriptions.TryGetValue((channel, symbol), out var cached))
        {
            return cached;
        }

        var subscription = new StreamSubscription(symbol, MarketType.Spot, channel);
        StreamSubscription? result = subscription;
        if (_wanted is not null)
        {
            result = _wanted.TryGetValue(subscription, out var mine) ? mine : null;
        }

        _subscriptions[(channel, symbol)] = result;
        return result;
    }

    private Symbol? Resolve(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return ResolveString(reader.GetString()!);
        }

        var name = reader.ValueSpan;
        if (name.IsEmpty || name.Length > MaxIdLength)
        {
            return null;
        }

        Span<char> chars = stackalloc char[MaxIdLength * 2];
        var count = Encoding.UTF8.GetChars(name, chars);
        return _nameLookup.TryGetValue(chars[..count], out var known) ? known : ResolveString(new string(chars[..count]));
    }

    private Symbol? ResolveString(string id)
    {
        if (_names.TryGetValue(id, out var known))
        {
            return known;
        }

        var symbol = _symbols.Resolve(id, MarketType.Spot);
        if (_names.Count < 10_000)
        {
            _names[id] = symbol;
        }

        return symbol;
    }

    private static decimal? ReadDecimal(ref Utf8JsonReader reader)
    {
        reader.Read();
        decimal? result = CoinbaseJson.TryReadDecimal(ref reader, out var value) ? value : null;
        reader.Skip();
        return result;
    }
}
