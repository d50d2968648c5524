using Coinlake.Candles;
using Coinlake.Tickers;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Streaming;

/// <summary>
/// One thing a live stream (or a capture replay) produced for a subscription. Pattern-match on the concrete type:
/// <see cref="CandleEvent"/>, <see cref="TradeEvent"/>, <see cref="TickerEvent"/>, <see cref="StreamGapEvent"/>.
/// </summary>
/// <param name="Subscription">The subscription the event belongs to.</param>
/// <param name="ReceivedAt">When the frame carrying it was received, ms since epoch UTC (the capture's time on replay).</param>
public abstract record MarketEvent(StreamSubscription Subscription, long ReceivedAt);

/// <summary>A candle update. Exchanges push the candle in progress as it changes and once more when it closes.</summary>
/// <param name="Candle">The candle; <see cref="Candle.OpenTime"/> in ms since epoch UTC, prices in the quote currency.</param>
/// <param name="IsClosed">True when the exchange marked the candle final (Binance <c>k.x</c>, OKX <c>confirm=1</c>, Bybit <c>confirm</c>).
/// Exchanges that do not mark closing leave it false; the writer then closes a candle when a later one starts or its interval ends.</param>
/// <param name="Subscription">The subscription the event belongs to.</param>
/// <param name="ReceivedAt">When the frame was received, ms since epoch UTC.</param>
public sealed record CandleEvent(StreamSubscription Subscription, long ReceivedAt, Candle Candle, bool IsClosed) : MarketEvent(Subscription, ReceivedAt);

/// <summary>A public trade.</summary>
/// <param name="Trade">The trade: exchange trade id, time in ms since epoch UTC, price (quote), amount (base), taker side.</param>
/// <param name="Subscription">The subscription the event belongs to.</param>
/// <param name="ReceivedAt">When the frame was received, ms since epoch UTC.</param>
public sealed record TradeEvent(StreamSubscription Subscription, long ReceivedAt, Trade Trade) : MarketEvent(Subscription, ReceivedAt);

/// <summary>A ticker update.</summary>
/// <param name="Ticker">The ticker; fields the exchange's stream does not carry are null.</param>
/// <param name="Subscription">The subscription the event belongs to.</param>
/// <param name="ReceivedAt">When the frame was received, ms since epoch UTC.</param>
public sealed record TickerEvent(StreamSubscription Subscription, long ReceivedAt, Ticker Ticker) : MarketEvent(Subscription, ReceivedAt);

/// <summary>
/// The connection carrying <see cref="MarketEvent.Subscription"/> was lost, stalled or refused, and data in
/// <paramref name="Missed"/> may be missing from the stream. Emitted once the subscription is live again (or when the
/// stream ends while disconnected). The pipeline heals it with a REST backfill of exactly that window.
/// </summary>
/// <param name="Missed">From the last frame received before the loss to the first moment the subscription was live again, ms since epoch UTC.</param>
/// <param name="Reason">Why: "connection closed by the server", "no data for 30 s", ...</param>
/// <param name="Subscription">The subscription the event belongs to.</param>
/// <param name="ReceivedAt">When the frame was received, ms since epoch UTC.</param>
public sealed record StreamGapEvent(StreamSubscription Subscription, long ReceivedAt, TimeRange Missed, string Reason) : MarketEvent(Subscription, ReceivedAt);
