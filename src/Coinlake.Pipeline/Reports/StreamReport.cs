using Coinlake.Time;

namespace Coinlake.Pipeline.Reports;

/// <summary>A window of a stream that could not be healed by a REST backfill.</summary>
/// <param name="Series">The series or subscription, e.g. <c>binance BTC/USDT spot 1m last</c> or <c>binance BTC/USDT spot trades</c>.</param>
/// <param name="Window">The missed window, ms UTC <c>[start, end)</c>.</param>
/// <param name="Reason">Why it stayed unhealed (the last error, or the exchange's limitation).</param>
public sealed record UnhealedWindow(string Series, TimeRange Window, string Reason);

/// <summary>
/// Counters of one live stream task (<c>mode: stream</c>). Thread-safe: the live writer and the background healer
/// update it concurrently.
/// </summary>
public sealed class StreamReport
{
    private readonly List<UnhealedWindow> _unhealed = [];
    private long _events;
    private long _candlesInserted;
    private long _candlesUpdated;
    private long _tradesInserted;
    private long _tradesUpdated;
    private long _tickers;
    private long _reconnects;
    private long _healedWindows;
    private long _healedCandles;
    private long _healedTrades;
    private long _healFailures;
    private long _invalidCandles;
    private long _lateTrades;

    /// <summary>Events received from the stream (candle updates, trades, tickers, gap markers).</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>Candle rows new to the first sink (live and healed).</summary>
    public long CandlesInserted => Interlocked.Read(ref _candlesInserted);

    /// <summary>Candle rows that replaced a stored candle in the first sink (the candle in progress, heals).</summary>
    public long CandlesUpdated => Interlocked.Read(ref _candlesUpdated);

    /// <summary>Trades new to the first trade sink (live and healed).</summary>
    public long TradesInserted => Interlocked.Read(ref _tradesInserted);

    /// <summary>Trades already stored in the first trade sink (replaced).</summary>
    public long TradesUpdated => Interlocked.Read(ref _tradesUpdated);

    /// <summary>Ticker updates handed to the ticker handler.</summary>
    public long Tickers => Interlocked.Read(ref _tickers);

    /// <summary>Interruptions the stream reported (one <c>StreamGapEvent</c> per subscription affected).</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Missed windows healed by a REST backfill (start-up heals included).</summary>
    public long HealedWindows => Interlocked.Read(ref _healedWindows);

    /// <summary>Candles written by heals (first sink, inserted + updated).</summary>
    public long HealedCandles => Interlocked.Read(ref _healedCandles);

    /// <summary>Trades written by heals (first sink, inserted + updated).</summary>
    public long HealedTrades => Interlocked.Read(ref _healedTrades);

    /// <summary>Heal attempts that failed (each is retried later while the stream runs).</summary>
    public long HealFailures => Interlocked.Read(ref _healFailures);

    /// <summary>Candles rejected by validation (not stored).</summary>
    public long InvalidCandles => Interlocked.Read(ref _invalidCandles);

    /// <summary>Trades that arrived after their candle had closed (past the grace period): stored as trades, not counted in candles.</summary>
    public long LateTrades => Interlocked.Read(ref _lateTrades);

    /// <summary>Frames the exchange sent that could not be parsed, when the connector counts them; null when unknown.</summary>
    public long? MalformedFrames { get; set; }

    /// <summary>Windows that stayed unhealed when the stream stopped.</summary>
    public IReadOnlyList<UnhealedWindow> UnhealedWindows
    {
        get
        {
            lock (_unhealed)
            {
                return [.. _unhealed];
            }
        }
    }

    internal void OnEvents(long count) => Interlocked.Add(ref _events, count);

    internal void OnCandlesWritten(long inserted, long updated)
    {
        Interlocked.Add(ref _candlesInserted, inserted);
        Interlocked.Add(ref _candlesUpdated, updated);
    }

    internal void OnTradesWritten(long inserted, long updated)
    {
        Interlocked.Add(ref _tradesInserted, inserted);
        Interlocked.Add(ref _tradesUpdated, updated);
    }

    internal void OnTickers(long count) => Interlocked.Add(ref _tickers, count);

    internal void OnReconnect() => Interlocked.Increment(ref _reconnects);

    internal void OnHealed(long candles, long trades)
    {
        Interlocked.Increment(ref _healedWindows);
        Interlocked.Add(ref _healedCandles, candles);
        Interlocked.Add(ref _healedTrades, trades);
    }

    internal void OnHealFailed() => Interlocked.Increment(ref _healFailures);

    internal void OnInvalidCandle() => Interlocked.Increment(ref _invalidCandles);

    internal void OnLateTrade() => Interlocked.Increment(ref _lateTrades);

    internal void OnUnhealed(UnhealedWindow window)
    {
        lock (_unhealed)
        {
            _unhealed.Add(window);
        }
    }
}
