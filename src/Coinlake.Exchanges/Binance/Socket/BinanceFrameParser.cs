using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Markets;
using Coinlake.Streaming;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Binance.Socket;

/// <summary>
/// Parses the frames of one Binance stream connection (spot, Binance.US or USDⓈ-M futures) with
/// <see cref="Utf8JsonReader"/>, allocating only the events (and, once per stream, its subscription).
/// </summary>
/// <remarks>
/// <para>
/// Frames: combined payloads <c>{"stream":"…","data":{…}}</c> (also raw payloads <c>{"e":…}</c>); replies
/// <c>{"result":…,"id":…}</c> → <see cref="FrameKind.Control"/>; errors <c>{"code":…,"msg":…}</c> or
/// <c>{"error":{"code":…,"msg":…},"id":…}</c> → <see cref="FrameKind.Rejected"/> with Binance's message ("Error
/// Messages"); <c>serverShutdown</c> → <see cref="FrameKind.Error"/> ("Server Shutdown": reconnect at once).
/// </para>
/// <para>
/// Payloads: <c>kline</c> → <see cref="CandleEvent"/> (<c>k.t</c> open time, <c>o h l c</c>, <c>v</c> base volume,
/// <c>q</c> quote volume, <c>n</c> trades, <c>k.x</c> closed); <c>aggTrade</c> → <see cref="TradeEvent"/> (id <c>a</c>,
/// time <c>T</c>, price <c>p</c>, amount <c>q</c>, <c>m</c> buyer is maker → the taker sold); <c>24hrTicker</c> →
/// <see cref="TickerEvent"/> (time <c>E</c>, last <c>c</c>, bid <c>b</c>, ask <c>a</c>, <c>o h l</c>, base volume
/// <c>v</c>, quote volume <c>q</c>, change <c>p</c>, percent <c>P</c>; USDⓈ-M sends no bid/ask); <c>bookTicker</c>
/// (older captures' ticker stream) → ticker with bid <c>b</c> and ask <c>a</c> only, timed by <c>E</c> when sent
/// (USDⓈ-M) else by receipt (spot). Other payloads (depth, markPrice, trade) are <see cref="FrameKind.Data"/> without
/// events, as are streams of symbols the map does not know.
/// </para>
/// </remarks>
internal sealed class BinanceFrameParser : StreamFrameParser
{
    private const int MaxIdLength = 48;

    private readonly StreamSymbols _symbols;
    private readonly bool _futures;
    private readonly bool _live;
    private readonly Dictionary<string, StreamSubscription?> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StreamSubscription?>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Creates the parser of one connection.</summary>
    /// <param name="symbols">Resolves ids to unified symbols.</param>
    /// <param name="group">The connection's subscriptions (events of other streams are dropped); null on replay, where any stream is resolved.</param>
    /// <param name="futures">USDⓈ-M futures (ids resolve to swaps, then futures) rather than spot.</param>
    public BinanceFrameParser(StreamSymbols symbols, IReadOnlyList<StreamSubscription>? group, bool futures)
    {
        _symbols = symbols;
        _futures = futures;
        _live = group is not null;
        _lookup = _subscriptions.GetAlternateLookup<ReadOnlySpan<char>>();
        if (group is null)
        {
            return;
        }

        Span<char> key = stackalloc char[MaxIdLength + 8];
        foreach (var subscription in group)
        {
            if (symbols.IdOf(subscription.Symbol, subscription.MarketType) is not { } id || id.Length > MaxIdLength)
            {
                continue;
            }

            var interval = subscription.Timeframe?.ToString() ?? string.Empty;
            var length = Key(key, KindOf(subscription.Channel), interval.AsSpan(), id.ToUpperInvariant());
            _subscriptions.TryAdd(new string(key[..length]), subscription);
        }
    }

    private enum Payload
    {
        Other,
        Kline,
        AggTrade,
        Ticker,
        BookTicker,
        Shutdown,
    }

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

    private static FrameKindHint KindOf(StreamChannel channel) => channel switch
    {
        StreamChannel.Candles => FrameKindHint.Candle,
        StreamChannel.Trades => FrameKindHint.Trade,
        _ => FrameKindHint.Ticker,
    };

    private static int Key(Span<char> destination, FrameKindHint kind, ReadOnlySpan<char> interval, ReadOnlySpan<char> id)
    {
        destination[0] = (char)kind;
        destination[1] = ':';
        interval.CopyTo(destination[2..]);
        var at = 2 + interval.Length;
        destination[at++] = ':';
        id.CopyTo(destination[at..]);
        return at + id.Length;
    }

    private static Payload Classify(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("kline"u8) ? Payload.Kline
        : type.SequenceEqual("aggTrade"u8) ? Payload.AggTrade
        : type.SequenceEqual("24hrTicker"u8) ? Payload.Ticker
        : type.SequenceEqual("bookTicker"u8) ? Payload.BookTicker
        : type.SequenceEqual("serverShutdown"u8) ? Payload.Shutdown
        : Payload.Other;

    private static char Letter(ref Utf8JsonReader reader)
    {
        var name = reader.ValueSpan;
        return name.Length == 1 && !reader.ValueIsEscaped ? (char)name[0] : '\0';
    }

    private static decimal Dec(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.ValueIsEscaped)
        {
            var span = reader.ValueSpan;
            if (span.Length > 0 && Utf8Parser.TryParse(span, out decimal value, out var consumed) && consumed == span.Length)
            {
                return value;
            }
        }

        throw new FormatException($"'{field}' is not a decimal ({reader.TokenType})");
    }

    private static long Int(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)
            ? value
            : throw new FormatException($"'{field}' is not an integer ({reader.TokenType})");

    private static bool Bool(ref Utf8JsonReader reader, string field) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new FormatException($"'{field}' is not a boolean ({reader.TokenType})"),
    };

    private static int ReadId(ref Utf8JsonReader reader, scoped Span<char> destination)
    {
        var span = reader.ValueSpan;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || span.Length == 0 || span.Length > destination.Length)
        {
            throw new FormatException($"'s' is not a symbol id ({reader.TokenType})");
        }

        for (var i = 0; i < span.Length; i++)
        {
            destination[i] = char.ToUpperInvariant((char)span[i]);
        }

        return span.Length;
    }

    private static string ReadError(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "error" : "error";
        }

        long? code = null;
        string? msg = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                code = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var c) ? c : null;
            }
            else if (reader.ValueTextEquals("msg"u8))
            {
                reader.Read();
                msg = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return ErrorText(code, msg);
    }

    private static string ErrorText(long? code, string? msg) =>
        code is { } c ? string.Create(CultureInfo.InvariantCulture, $"code {c}: {msg ?? "(no message)"}") : msg ?? "error without a message";

    private FrameResult ParseFrame(ReadOnlySpan<byte> frame, long receivedAt, ICollection<MarketEvent> events)
    {
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return FrameResult.Malformed("not a JSON object");
        }

        var start = reader;
        Utf8JsonReader data = default;
        bool hasData = false, hasReply = false, rawEvent = false, bookTickerStream = false;
        string? error = null;
        long? code = null;
        string? msg = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("stream"u8))
            {
                reader.Read();
                bookTickerStream = reader.TokenType == JsonTokenType.String && reader.ValueSpan.EndsWith("@bookTicker"u8);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    data = reader;
                    hasData = true;
                }

                reader.Skip();
            }
            else if (reader.ValueTextEquals("result"u8) || reader.ValueTextEquals("id"u8))
            {
                hasReply = true;
                reader.Read();
                reader.Skip();
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                error = ReadError(ref reader);
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                code = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var c) ? c : null;
            }
            else if (reader.ValueTextEquals("msg"u8))
            {
                reader.Read();
                msg = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                rawEvent |= reader.ValueTextEquals("e"u8);
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return FrameResult.Malformed("trailing content after the JSON object");
        }

        if (hasData)
        {
            return ParsePayload(data, bookTickerStream, receivedAt, events);
        }

        if (error is not null || msg is not null || code is not null)
        {
            return FrameResult.Rejected(error ?? ErrorText(code, msg));
        }

        if (rawEvent)
        {
            return ParsePayload(start, bookTickerStream: false, receivedAt, events);
        }

        return hasReply ? FrameResult.Control : FrameResult.Malformed("neither a stream payload nor a reply");
    }

    private FrameResult ParsePayload(Utf8JsonReader reader, bool bookTickerStream, long receivedAt, ICollection<MarketEvent> events)
    {
        var kind = bookTickerStream ? Payload.BookTicker : Payload.Other;
        var scan = reader;
        while (scan.Read() && scan.TokenType == JsonTokenType.PropertyName)
        {
            if (scan.ValueTextEquals("e"u8))
            {
                scan.Read();
                kind = scan.TokenType == JsonTokenType.String ? Classify(scan.ValueSpan) : Payload.Other;
                break;
            }

            scan.Read();
            scan.Skip();
        }

        return kind switch
        {
            Payload.Kline => ReadKline(ref reader, receivedAt, events),
            Payload.AggTrade => ReadAggTrade(ref reader, receivedAt, events),
            Payload.Ticker or Payload.BookTicker => ReadTicker(ref reader, kind == Payload.BookTicker, receivedAt, events),
            Payload.Shutdown => FrameResult.Error("the server announced its shutdown (serverShutdown); reconnect"),
            _ => FrameResult.Data,
        };
    }

    private FrameResult ReadKline(ref Utf8JsonReader reader, long receivedAt, ICollection<MarketEvent> events)
    {
        Span<char> id = stackalloc char[MaxIdLength];
        Span<char> interval = stackalloc char[8];
        int idLength = 0, intervalLength = 0;
        long? open = null, trades = null;
        decimal? o = null, h = null, l = null, c = null, v = null, q = null;
        bool? closed = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var letter = Letter(ref reader);
            reader.Read();
            if (letter == 's' && idLength == 0)
            {
                idLength = ReadId(ref reader, id);
            }
            else if (letter == 'k' && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var field = Letter(ref reader);
                    reader.Read();
                    switch (field)
                    {
                        case 't': open = Int(ref reader, "k.t"); break;
                        case 'o': o = Dec(ref reader, "k.o"); break;
                        case 'h': h = Dec(ref reader, "k.h"); break;
                        case 'l': l = Dec(ref reader, "k.l"); break;
                        case 'c': c = Dec(ref reader, "k.c"); break;
                        case 'v': v = Dec(ref reader, "k.v"); break;
                        case 'q': q = Dec(ref reader, "k.q"); break;
                        case 'n': trades = Int(ref reader, "k.n"); break;
                        case 'x': closed = Bool(ref reader, "k.x"); break;
                        case 's' when idLength == 0: idLength = ReadId(ref reader, id); break;
                        case 'i':
                            var span = reader.ValueSpan;
                            if (reader.TokenType != JsonTokenType.String || span.Length == 0 || span.Length > interval.Length)
                            {
                                throw new FormatException("'k.i' is not an interval");
                            }

                            for (var i = 0; i < span.Length; i++)
                            {
                                interval[i] = (char)span[i];
                            }

                            intervalLength = span.Length;
                            break;
                        default: reader.Skip(); break;
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (idLength == 0 || intervalLength == 0 || open is null || o is null || h is null || l is null || c is null || v is null || closed is null)
        {
            return FrameResult.Malformed("a kline lacks one of s, k.i, k.t, k.o, k.h, k.l, k.c, k.v, k.x");
        }

        if (Resolve(FrameKindHint.Candle, interval[..intervalLength], id[..idLength]) is not { } subscription)
        {
            return FrameResult.Data;
        }

        events.Add(new CandleEvent(subscription, receivedAt, new Candle(open.Value, o.Value, h.Value, l.Value, c.Value, v.Value, q, trades), closed.Value));
        return FrameResult.Data;
    }

    private FrameResult ReadAggTrade(ref Utf8JsonReader reader, long receivedAt, ICollection<MarketEvent> events)
    {
        Span<char> id = stackalloc char[MaxIdLength];
        var idLength = 0;
        long? tradeId = null, time = null;
        decimal? price = null, amount = null;
        bool? buyerIsMaker = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var letter = Letter(ref reader);
            reader.Read();
            switch (letter)
            {
                case 's': idLength = ReadId(ref reader, id); break;
                case 'a': tradeId = Int(ref reader, "a"); break;
                case 'T': time = Int(ref reader, "T"); break;
                case 'p': price = Dec(ref reader, "p"); break;
                case 'q': amount = Dec(ref reader, "q"); break;
                case 'm': buyerIsMaker = Bool(ref reader, "m"); break;
                default: reader.Skip(); break;
            }
        }

        if (idLength == 0 || tradeId is null || time is null || price is null || amount is null || buyerIsMaker is null)
        {
            return FrameResult.Malformed("an aggTrade lacks one of s, a, T, p, q, m");
        }

        if (Resolve(FrameKindHint.Trade, default, id[..idLength]) is not { } subscription)
        {
            return FrameResult.Data;
        }

        var trade = new Trade(tradeId.Value.ToString(CultureInfo.InvariantCulture), time.Value, price.Value, amount.Value,
            buyerIsMaker.Value ? TradeSide.Sell : TradeSide.Buy);
        events.Add(new TradeEvent(subscription, receivedAt, trade));
        return FrameResult.Data;
    }

    private FrameResult ReadTicker(ref Utf8JsonReader reader, bool bookTicker, long receivedAt, ICollection<MarketEvent> events)
    {
        Span<char> id = stackalloc char[MaxIdLength];
        var idLength = 0;
        long? eventTime = null, transactionTime = null;
        decimal? last = null, bid = null, ask = null, high = null, low = null, open = null, volume = null, quote = null, change = null, percent = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var letter = Letter(ref reader);
            reader.Read();
            switch (letter)
            {
                case 's': idLength = ReadId(ref reader, id); break;
                case 'E': eventTime = Int(ref reader, "E"); break;
                case 'T': transactionTime = Int(ref reader, "T"); break;
                case 'b': bid = Dec(ref reader, "b"); break;
                case 'a': ask = Dec(ref reader, "a"); break;
                case 'c' when !bookTicker: last = Dec(ref reader, "c"); break;
                case 'h' when !bookTicker: high = Dec(ref reader, "h"); break;
                case 'l' when !bookTicker: low = Dec(ref reader, "l"); break;
                case 'o' when !bookTicker: open = Dec(ref reader, "o"); break;
                case 'v' when !bookTicker: volume = Dec(ref reader, "v"); break;
                case 'q' when !bookTicker: quote = Dec(ref reader, "q"); break;
                case 'p' when !bookTicker: change = Dec(ref reader, "p"); break;
                case 'P' when !bookTicker: percent = Dec(ref reader, "P"); break;
                default: reader.Skip(); break;
            }
        }

        if (idLength == 0 || (bookTicker ? bid is null && ask is null : last is null))
        {
            return FrameResult.Malformed(bookTicker ? "a bookTicker lacks s, b or a" : "a 24hrTicker lacks s or c");
        }

        if (Resolve(FrameKindHint.Ticker, default, id[..idLength]) is not { } subscription)
        {
            return FrameResult.Data;
        }

        var time = eventTime ?? transactionTime ?? receivedAt;
        events.Add(new TickerEvent(subscription, receivedAt,
            new Ticker(subscription.Symbol, time, last, bid, ask, high, low, open, volume, quote, change, percent)));
        return FrameResult.Data;
    }

    private StreamSubscription? Resolve(FrameKindHint kind, ReadOnlySpan<char> interval, ReadOnlySpan<char> id)
    {
        Span<char> key = stackalloc char[MaxIdLength + 12];
        var length = Key(key, kind, interval, id);
        if (_lookup.TryGetValue(key[..length], out var known))
        {
            return known;
        }

        StreamSubscription? subscription = null;
        if (!_live)
        {
            var text = new string(id);
            var type = _futures ? MarketType.Swap : MarketType.Spot;
            var resolved = _symbols.Resolve(text, type);
            if (resolved is null && _futures)
            {
                type = MarketType.Future;
                resolved = _symbols.Resolve(text, type);
            }

            if (resolved is not null)
            {
                subscription = kind switch
                {
                    FrameKindHint.Candle => Timeframe.TryParse(new string(interval), out var timeframe)
                        ? StreamSubscription.Candles(resolved, type, timeframe)
                        : null,
                    FrameKindHint.Trade => StreamSubscription.Trades(resolved, type),
                    _ => StreamSubscription.Tickers(resolved, type),
                };
            }
        }

        _subscriptions[new string(key[..length])] = subscription;
        return subscription;
    }

    /// <summary>The channel letter of a subscription key.</summary>
    private enum FrameKindHint
    {
        Candle = 'K',
        Trade = 'T',
        Ticker = 'R',
    }
}
