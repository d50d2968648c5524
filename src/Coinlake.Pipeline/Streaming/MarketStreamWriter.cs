using System.Threading.Channels;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Pipeline.Reports;
using Coinlake.Storage;
using Coinlake.Streaming;
using Coinlake.Time;
using Coinlake.Trades;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Pipeline.Streaming;

/// <summary>
/// The writer of a live stream (or a capture replay): consumes <see cref="MarketEvent"/>s from a bounded channel, batches
/// them (every <see cref="StreamWriterOptions.BatchSize"/> events or <see cref="StreamWriterOptions.FlushInterval"/>),
/// de-duplicates within the batch (the last update of a candle wins; trades by id), validates candles
/// (<see cref="CandleValidator"/>) and upserts into every sink of the task, like a backfill.
/// <list type="bullet">
/// <item>Candles: with <see cref="StreamWriterOptions.ExcludeCurrentCandle"/> only closed candles are written, else the
/// candle in progress is upserted as it changes and ends equal to the closed one. A candle is closed when the exchange marks
/// it (<see cref="CandleEvent.IsClosed"/>), when a later open time arrives for the series, or when the series' stream clock
/// (latest data time + wall time since) passes its end plus the grace period. A later update of a closed candle is upserted.</item>
/// <item>Trades are stored raw and, for <see cref="StreamWriterOptions.TradeTimeframes"/>, aggregated into candles
/// (<c>trades -&gt; OHLCV</c>), closed when their end plus the grace has passed on the stream clock; later trades are logged,
/// counted (<see cref="StreamReport.LateTrades"/>) and left out of the candle. Trades repeated by a reconnect are counted once.</item>
/// <item>Gaps (<see cref="StreamGapEvent"/>): the in-progress state of the interrupted series is dropped, and the window from
/// the last data time before the gap (floored to the timeframe) to the first data time after it is handed to the healer
/// (a REST backfill of exactly that window); candles built from trades inside that window are left to the heal.</item>
/// </list>
/// When the channel completes, every candle whose interval has ended is closed and everything is flushed: nothing
/// accepted is lost. Not thread-safe: one <see cref="RunAsync"/> at a time.
/// </summary>
public sealed partial class MarketStreamWriter
{
    private const int RecentTradeIds = 100_000;

    private readonly StreamTargets _targets;
    private readonly StreamWriterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _graceMs;
    private readonly Dictionary<StreamSubscription, CandleSeriesState> _candles = [];
    private readonly Dictionary<StreamSubscription, TradeSeriesState> _trades = [];
    private readonly List<TickerEvent> _tickers = [];

    /// <summary>Creates a writer.</summary>
    /// <param name="targets">The sinks.</param>
    /// <param name="options">Batching, closing rules and trade timeframes.</param>
    /// <param name="report">Counters to update; a new one when null (see <see cref="Report"/>).</param>
    /// <param name="timeProvider">Clock of the stream clocks and flush timer.</param>
    /// <param name="logger">Logger.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public MarketStreamWriter(StreamTargets targets, StreamWriterOptions options, StreamReport? report = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _targets = targets;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _graceMs = (long)options.Grace.TotalMilliseconds;
        Report = report ?? new StreamReport();
    }

    /// <summary>The counters this writer updates.</summary>
    public StreamReport Report { get; }

    /// <summary>Receives the missed windows to heal; null: they are reported unhealed.</summary>
    internal IStreamHealQueue? Heals { get; set; }

    /// <summary>A bounded channel of <paramref name="capacity"/> events whose writers wait when it is full (back-pressure).</summary>
    public static Channel<MarketEvent> CreateChannel(int capacity) =>
        Channel.CreateBounded<MarketEvent>(new BoundedChannelOptions(Math.Max(1, capacity)) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    /// <summary>
    /// Writes every event of <paramref name="events"/> through a bounded channel and returns when all are written (the
    /// path of a capture replay).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; what was accepted is written first.</exception>
    public async Task<StreamReport> WriteAllAsync(IAsyncEnumerable<MarketEvent> events, CancellationToken cancellationToken = default)
    {
        var channel = CreateChannel(_options.ChannelCapacity);
        var writer = RunAsync(channel.Reader, CancellationToken.None);
        try
        {
            await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await channel.Writer.WriteAsync(e, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            channel.Writer.TryComplete();
            await writer.ConfigureAwait(false);
        }

        return Report;
    }

    /// <summary>
    /// Reads <paramref name="events"/> until the channel completes, writing as described on the type; then closes what has
    /// ended and flushes everything (candles, trades, tickers, sinks).
    /// </summary>
    /// <param name="events">The stream's events.</param>
    /// <param name="cancellationToken">Aborts at once (writes in flight are cancelled, nothing more is flushed). A normal stop
    /// completes the channel instead.</param>
    /// <exception cref="Exception">A sink failed (e.g. <c>SqliteException</c>); the stream should stop.</exception>
    public async Task RunAsync(ChannelReader<MarketEvent> events, CancellationToken cancellationToken = default)
    {
        var flushEvery = _options.FlushInterval;
        var nextFlush = _time.GetTimestamp();
        var lastDurable = _time.GetTimestamp();
        var inBatch = 0;
        Task<bool>? waiting = null;
        while (true)
        {
            while (inBatch < _options.BatchSize && events.TryRead(out var e))
            {
                Accept(e);
                inBatch++;
            }

            var due = _time.GetElapsedTime(nextFlush) >= flushEvery || (inBatch > 0 && _options.FlushWhenIdle && !events.TryPeek(out _));
            if (inBatch >= _options.BatchSize || due)
            {
                Tick(final: false);
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                inBatch = 0;
                nextFlush = _time.GetTimestamp();
                if (_time.GetElapsedTime(lastDurable) >= _options.DurableFlushInterval)
                {
                    await FlushSinksAsync(cancellationToken).ConfigureAwait(false);
                    lastDurable = _time.GetTimestamp();
                }

                continue;
            }

            waiting ??= events.WaitToReadAsync(cancellationToken).AsTask();
            if (!waiting.IsCompleted)
            {
                using var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(flushEvery - _time.GetElapsedTime(nextFlush), _time, delayCancel.Token);
                await Task.WhenAny(waiting, delay).ConfigureAwait(false);
                await delayCancel.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (waiting.IsCompleted)
            {
                var more = await waiting.ConfigureAwait(false);
                waiting = null;
                if (!more)
                {
                    break;
                }
            }
        }

        await StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes everything that has ended, resolves pending gaps and writes all that is buffered (the end of a stream).</summary>
    internal async Task StopAsync(CancellationToken cancellationToken)
    {
        ResolvePendingGaps();
        Tick(final: true);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await FlushSinksAsync(cancellationToken).ConfigureAwait(false);
        if (_targets.Tickers is { } tickers)
        {
            await tickers.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes one event into the buffers (no I/O).</summary>
    internal void Accept(MarketEvent e)
    {
        Report.OnEvents(1);
        switch (e)
        {
            case CandleEvent candle:
                OnCandle(candle);
                break;
            case TradeEvent trade:
                OnTrade(trade);
                break;
            case TickerEvent ticker:
                _tickers.Add(ticker);
                break;
            case StreamGapEvent gap:
                OnGap(gap);
                break;
        }
    }

    private void OnCandle(CandleEvent e)
    {
        if (CandleState(e.Subscription) is not { } s)
        {
            return;
        }

        var candle = e.Candle;
        var open = candle.OpenTime;
        s.Clock.Observe(Math.Max(e.ReceivedAt, open));
        if (s.Gap is { } gap)
        {
            s.Gap = null;
            RequestCandleHeal(s.Series, new TimeRange(gap.Start, open), gap.Reason);
        }

        s.LastDataTime = Math.Max(s.LastDataTime ?? long.MinValue, open);
        var problems = CandleValidator.Validate(candle, s.Series.Timeframe);
        if (problems != CandleProblems.None)
        {
            Report.OnInvalidCandle();
            LogInvalidCandle(_logger, s.Series.ToString(), TimeRange.FormatTime(open), problems.ToString());
            return;
        }

        if (s.Current is { } current && current.OpenTime < open)
        {
            // A later open time closes the candle in progress (exchanges that do not mark closing).
            s.Close(current);
        }

        if (e.IsClosed)
        {
            s.MarksClose = true;
            if (s.Current?.OpenTime == open)
            {
                s.Current = null;
            }

            s.Close(candle);
            return;
        }

        if (open <= s.ClosedThrough || (s.Current is { } newer && open < newer.OpenTime))
        {
            if (s.MarksClose)
            {
                // The exchange marks closing: its closed candle is final, a stray earlier update must not replace it.
                return;
            }

            // A late update of a candle already closed: upserted (it is the exchange's latest word on it).
            s.Pending[open] = candle;
            return;
        }

        s.Current = candle;
        if (!_options.ExcludeCurrentCandle)
        {
            s.Pending[open] = candle;
        }
    }

    private void OnTrade(TradeEvent e)
    {
        var s = TradeState(e.Subscription);
        var trade = e.Trade;
        s.Clock.Observe(trade.Timestamp);
        if (s.Gap is { } gap)
        {
            s.Gap = null;
            ResolveTradeGap(s, gap, trade.Timestamp);
        }

        s.LastDataTime = Math.Max(s.LastDataTime ?? long.MinValue, trade.Timestamp);
        s.Pending[trade.Id] = trade;
        if (s.Candles.Count == 0 || !s.Seen.Add(trade.Id))
        {
            return;
        }

        var clock = s.Clock.Now();
        var late = false;
        foreach (var c in s.Candles)
        {
            c.Advance(clock - _graceMs);
            var open = c.Series.Timeframe.Floor(trade.Timestamp);
            if (open < c.ClosedBefore)
            {
                late = true;
                continue;
            }

            if (!c.Open.TryGetValue(open, out var candle))
            {
                candle = new TradeCandleAccumulator(open);
                c.Open.Add(open, candle);
            }

            candle.Add(trade);
            if (!_options.ExcludeCurrentCandle)
            {
                c.Dirty.Add(open);
            }
        }

        if (late)
        {
            Report.OnLateTrade();
            LogLateTrade(_logger, s.Series.ToString(), trade.Id, TimeRange.FormatTime(trade.Timestamp), _options.Grace.TotalSeconds);
        }
    }

    private void OnGap(StreamGapEvent e)
    {
        Report.OnReconnect();
        LogGap(_logger, e.Subscription.ToString(), e.Missed.ToString(), e.Reason);
        switch (e.Subscription.Channel)
        {
            case StreamChannel.Candles when CandleState(e.Subscription) is { } s:
                var timeframe = s.Series.Timeframe;
                var start = timeframe.Floor(s.LastDataTime ?? e.Missed.Start);
                s.Gap = new PendingGap(Math.Min(start, s.Gap?.Start ?? long.MaxValue), e.Missed, e.Reason);

                // The candle in progress lost updates: the heal writes it.
                s.Current = null;
                break;
            case StreamChannel.Trades:
                var t = TradeState(e.Subscription);
                var from = t.LastDataTime ?? e.Missed.Start;
                t.Gap = new PendingGap(Math.Min(from, t.Gap?.Start ?? long.MaxValue), e.Missed, e.Reason);
                foreach (var c in t.Candles)
                {
                    var taint = c.Series.Timeframe.Floor(t.Gap.Start);
                    c.OpenTaintFrom = Math.Min(taint, c.OpenTaintFrom ?? long.MaxValue);
                }

                break;
        }
    }

    private void ResolveTradeGap(TradeSeriesState s, PendingGap gap, long firstAfter)
    {
        RequestTradeHeal(s.Series, new TimeRange(gap.Start, firstAfter), gap.Reason);
        foreach (var c in s.Candles)
        {
            var timeframe = c.Series.Timeframe;
            var window = new TimeRange(timeframe.Floor(gap.Start), timeframe.Next(timeframe.Floor(firstAfter)));
            c.Tainted = c.Tainted.Union(RangeSet.Of(window));
            c.OpenTaintFrom = null;
            c.DeferredHeals.Add((window, gap.Reason));
        }
    }

    /// <summary>Gaps still waiting for data when the stream stops: their window ends where the stream's gap marker says.</summary>
    private void ResolvePendingGaps()
    {
        foreach (var s in _candles.Values)
        {
            if (s.Gap is { } gap)
            {
                s.Gap = null;
                RequestCandleHeal(s.Series, new TimeRange(gap.Start, s.Series.Timeframe.Ceiling(gap.Missed.End)), gap.Reason);
            }
        }

        foreach (var s in _trades.Values)
        {
            if (s.Gap is { } gap)
            {
                s.Gap = null;
                ResolveTradeGap(s, gap, Math.Max(gap.Start, gap.Missed.End));
            }
        }
    }

    /// <summary>Closes candles by the stream clocks: past their end plus grace, or (on <paramref name="final"/>) past their end.</summary>
    internal void Tick(bool final)
    {
        var grace = final ? 0 : _graceMs;
        foreach (var s in _candles.Values)
        {
            // Exchanges that mark closing (Binance k.x, OKX confirm, Bybit confirm) are waited for: the clock only closes
            // candles of exchanges that never say (a lost close frame is healed over REST instead).
            if (!s.MarksClose && s.Current is { } current && s.Clock.Now() - grace >= s.Series.Timeframe.Next(current.OpenTime))
            {
                s.Close(current);
            }
        }

        foreach (var s in _trades.Values)
        {
            if (!s.Clock.Started)
            {
                continue;
            }

            var clock = s.Clock.Now();
            foreach (var c in s.Candles)
            {
                c.Advance(clock - grace);
                while (c.Open.Count > 0 && c.Open.First() is var (open, candle) && open < c.ClosedBefore)
                {
                    c.Open.Remove(open);
                    c.Dirty.Remove(open);
                    if (!c.IsTainted(open))
                    {
                        AddTradeCandle(c, candle.ToCandle());
                    }
                }

                foreach (var open in c.Dirty)
                {
                    if (!c.IsTainted(open) && c.Open.TryGetValue(open, out var candle))
                    {
                        AddTradeCandle(c, candle.ToCandle());
                    }
                }

                c.Dirty.Clear();
                for (var i = c.DeferredHeals.Count - 1; i >= 0; i--)
                {
                    var (window, reason) = c.DeferredHeals[i];
                    if (final || window.End <= c.ClosedBefore)
                    {
                        c.DeferredHeals.RemoveAt(i);
                        RequestCandleHeal(c.Series, window, reason);
                    }
                }
            }
        }
    }

    private void AddTradeCandle(TradeCandleState c, Candle candle)
    {
        var problems = CandleValidator.Validate(candle, c.Series.Timeframe);
        if (problems != CandleProblems.None)
        {
            Report.OnInvalidCandle();
            LogInvalidCandle(_logger, c.Series.ToString(), TimeRange.FormatTime(candle.OpenTime), problems.ToString());
            return;
        }

        c.Pending[candle.OpenTime] = candle;
    }

    /// <summary>Writes what the buffers hold to the sinks and the ticker handler.</summary>
    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var s in _candles.Values)
        {
            await WriteCandlesAsync(s.Series, s.Pending, cancellationToken).ConfigureAwait(false);
        }

        foreach (var s in _trades.Values)
        {
            if (s.Pending.Count > 0 && _targets.TradeSinks.Count > 0)
            {
                var trades = s.Pending.Values.OrderBy(t => t.Timestamp).ThenBy(t => t.Id.Length).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
                for (var i = 0; i < _targets.TradeSinks.Count; i++)
                {
                    var result = await _targets.TradeSinks[i].UpsertTradesAsync(s.Series, trades, cancellationToken).ConfigureAwait(false);
                    if (i == 0)
                    {
                        Report.OnTradesWritten(result.Inserted, result.Updated);
                    }
                }
            }

            s.Pending.Clear();
            foreach (var c in s.Candles)
            {
                await WriteCandlesAsync(c.Series, c.Pending, cancellationToken).ConfigureAwait(false);
            }
        }

        if (_tickers.Count > 0)
        {
            Report.OnTickers(_tickers.Count);
            if (_targets.Tickers is { } handler)
            {
                await handler.OnTickersAsync([.. _tickers], cancellationToken).ConfigureAwait(false);
            }

            _tickers.Clear();
        }
    }

    private async Task WriteCandlesAsync(SeriesKey series, SortedDictionary<long, Candle> pending, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            return;
        }

        var candles = pending.Values.ToList();
        pending.Clear();
        for (var i = 0; i < _targets.CandleSinks.Count; i++)
        {
            var result = await _targets.CandleSinks[i].UpsertAsync(series, candles, cancellationToken).ConfigureAwait(false);
            if (i == 0)
            {
                Report.OnCandlesWritten(result.Inserted, result.Updated);
            }
        }
    }

    private async Task FlushSinksAsync(CancellationToken cancellationToken)
    {
        foreach (var sink in _targets.CandleSinks)
        {
            await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var sink in _targets.TradeSinks)
        {
            await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void RequestCandleHeal(SeriesKey series, TimeRange window, string reason)
    {
        if (window.IsEmpty)
        {
            return;
        }

        if (Heals is { } heals)
        {
            heals.HealCandles(series, window, reason);
        }
        else
        {
            Report.OnUnhealed(new UnhealedWindow(series.ToString(), window, $"{reason}; no REST heal in this run"));
        }
    }

    private void RequestTradeHeal(TradeSeriesKey series, TimeRange window, string reason)
    {
        if (window.IsEmpty || _targets.TradeSinks.Count == 0)
        {
            return;
        }

        if (Heals is { } heals)
        {
            heals.HealTrades(series, window, reason);
        }
        else
        {
            Report.OnUnhealed(new UnhealedWindow($"{series} trades", window, $"{reason}; no REST heal in this run"));
        }
    }

    private CandleSeriesState? CandleState(StreamSubscription subscription)
    {
        if (_candles.TryGetValue(subscription, out var state))
        {
            return state;
        }

        if (subscription.Timeframe is not { } timeframe)
        {
            return null;
        }

        state = new CandleSeriesState(new SeriesKey(_targets.Exchange, subscription.Symbol, subscription.MarketType, timeframe, subscription.Price), new StreamClock(_time));
        _candles.Add(subscription, state);
        return state;
    }

    private TradeSeriesState TradeState(StreamSubscription subscription)
    {
        if (!_trades.TryGetValue(subscription, out var state))
        {
            state = new TradeSeriesState(new TradeSeriesKey(_targets.Exchange, subscription.Symbol, subscription.MarketType), new StreamClock(_time));
            foreach (var timeframe in _options.TradeTimeframes)
            {
                state.Candles.Add(new TradeCandleState(new SeriesKey(_targets.Exchange, subscription.Symbol, subscription.MarketType, timeframe, PriceType.Last)));
            }

            _trades.Add(subscription, state);
        }

        return state;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Series}: candle at {OpenTime} rejected ({Problems}); it is not stored")]
    private static partial void LogInvalidCandle(ILogger logger, string series, string openTime, string problems);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Series}: trade {Id} at {Time} arrived after its candle closed (grace {GraceSeconds} s); stored, but not counted in the candle")]
    private static partial void LogLateTrade(ILogger logger, string series, string id, string time, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Subscription}: stream interrupted ({Reason}), missed {Missed}; the window is healed by a REST backfill")]
    private static partial void LogGap(ILogger logger, string subscription, string missed, string reason);

    /// <summary>A gap whose window end (the first data time after it) is not known yet.</summary>
    private sealed record PendingGap(long Start, TimeRange Missed, string Reason);

    private sealed class CandleSeriesState(SeriesKey series, StreamClock clock)
    {
        public SeriesKey Series { get; } = series;

        public StreamClock Clock { get; } = clock;

        public Candle? Current { get; set; }

        public long ClosedThrough { get; private set; } = long.MinValue;

        /// <summary>The exchange has marked a candle of this series closed: closing is its word, not the clock's.</summary>
        public bool MarksClose { get; set; }

        public long? LastDataTime { get; set; }

        public PendingGap? Gap { get; set; }

        public SortedDictionary<long, Candle> Pending { get; } = [];

        public void Close(Candle candle)
        {
            Pending[candle.OpenTime] = candle;
            ClosedThrough = Math.Max(ClosedThrough, candle.OpenTime);
            if (Current?.OpenTime == candle.OpenTime)
            {
                Current = null;
            }
        }
    }

    private sealed class TradeSeriesState(TradeSeriesKey series, StreamClock clock)
    {
        public TradeSeriesKey Series { get; } = series;

        public StreamClock Clock { get; } = clock;

        public long? LastDataTime { get; set; }

        public PendingGap? Gap { get; set; }

        public Dictionary<string, Trade> Pending { get; } = new(StringComparer.Ordinal);

        public RecentIds Seen { get; } = new(RecentTradeIds);

        public List<TradeCandleState> Candles { get; } = [];
    }

    private sealed class TradeCandleState(SeriesKey series)
    {
        public SeriesKey Series { get; } = series;

        public SortedDictionary<long, TradeCandleAccumulator> Open { get; } = [];

        /// <summary>Every interval opening before this has closed (ms UTC).</summary>
        public long ClosedBefore { get; private set; } = long.MinValue;

        /// <summary>Intervals a gap touched: the heal writes them, the live writer does not.</summary>
        public RangeSet Tainted { get; set; } = RangeSet.Empty;

        /// <summary>Start of a gap whose end is not known yet: every interval from it on is tainted.</summary>
        public long? OpenTaintFrom { get; set; }

        public List<(TimeRange Window, string Reason)> DeferredHeals { get; } = [];

        public HashSet<long> Dirty { get; } = [];

        public SortedDictionary<long, Candle> Pending { get; } = [];

        public bool IsTainted(long open) => (OpenTaintFrom is { } from && open >= from) || Tainted.Contains(open);

        /// <summary>Intervals that ended at or before <paramref name="time"/> (ms UTC) are closed.</summary>
        public void Advance(long time)
        {
            if (time != long.MinValue)
            {
                ClosedBefore = Math.Max(ClosedBefore, Series.Timeframe.Floor(time));
            }
        }
    }
}
