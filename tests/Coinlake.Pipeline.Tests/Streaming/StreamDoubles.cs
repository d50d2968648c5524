using System.Runtime.CompilerServices;
using Coinlake.Candles;
using Coinlake.Exchanges;
using Coinlake.Markets;
using Coinlake.Pipeline.Backfill;
using Coinlake.Pipeline.Tasks;
using Coinlake.Pipeline.Tests.Backfill;
using Coinlake.Storage;
using Coinlake.Streaming;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Pipeline.Tests.Streaming;

/// <summary>
/// An in-memory live stream: yields a scripted list of events, then either ends or (with <see cref="HoldOpen"/>) waits
/// until cancelled, like a live stream does. REST history is delegated to optional inner clients.
/// </summary>
internal sealed class ScriptedStreamClient(IReadOnlyList<MarketEvent> script) : IMarketStreamClient, ICandleHistoryClient, ITradeHistoryClient
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Exchange => "test";

    public RequestStats Stats { get; } = new();

    /// <summary>After the script, wait for cancellation instead of ending.</summary>
    public bool HoldOpen { get; init; }

    /// <summary>Reasons for subscriptions the "exchange" does not stream.</summary>
    public Func<StreamSubscription, string?> Unsupported { get; init; } = _ => null;

    public ICandleHistoryClient? Candles { get; init; }

    public ITradeHistoryClient? TradeHistory { get; init; }

    public TradeHistoryDepth Depth { get; init; } = TradeHistoryDepth.Full;

    /// <summary>Completes once every scripted event was handed over.</summary>
    public Task Drained => _drained.Task;

    public IReadOnlyList<StreamSubscription>? Subscribed { get; private set; }

    public StreamOptions? Options { get; private set; }

    public string? WhyUnsupported(StreamSubscription subscription) => Unsupported(subscription);

    public async IAsyncEnumerable<MarketEvent> StreamAsync(IReadOnlyList<StreamSubscription> subscriptions, StreamOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Subscribed = subscriptions;
        Options = options;
        foreach (var e in script)
        {
            await Task.Yield();
            yield return e;
        }

        _drained.TrySetResult();
        if (HoldOpen)
        {
            // A live stream ends without throwing when cancelled.
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    public bool Supports(MarketType type, PriceType price) => Candles?.Supports(type, price) ?? false;

    public IAsyncEnumerable<CandlePage> GetCandlesAsync(CandleRequest request, CancellationToken cancellationToken = default) =>
        (Candles ?? throw new ExchangeException("test", "no candle history")).GetCandlesAsync(request, cancellationToken);

    public TradeHistoryDepth TradeDepth(MarketType type) => Depth;

    public IAsyncEnumerable<TradePage> GetTradesAsync(TradeRequest request, CancellationToken cancellationToken = default) =>
        (TradeHistory ?? throw new ExchangeException("test", "no trade history")).GetTradesAsync(request, cancellationToken);
}

/// <summary>A client with REST only (no stream).</summary>
internal sealed class RestOnlyClient : IExchangeClient
{
    public string Exchange => "test";

    public RequestStats Stats { get; } = new();
}

/// <summary>Trades served from a list, one page per request.</summary>
internal sealed class ListTradeClient(IReadOnlyList<Trade> trades) : ITradeHistoryClient
{
    public string Exchange => "test";

    public RequestStats Stats { get; } = new();

    public List<TimeRange> Requests { get; } = [];

    public TradeHistoryDepth TradeDepth(MarketType type) => TradeHistoryDepth.Full;

    public async IAsyncEnumerable<TradePage> GetTradesAsync(TradeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        Requests.Add(request.Range);
        yield return new TradePage([.. trades.Where(t => request.Range.Contains(t.Timestamp))], request.Range);
    }
}

/// <summary>An in-memory trade sink keyed by trade id.</summary>
internal sealed class MemoryTradeSink : ITradeSink
{
    public SortedDictionary<string, Trade> Rows { get; } = new(StringComparer.Ordinal);

    public List<int> Batches { get; } = [];

    public string Description => "memory trades";

    public ValueTask<UpsertResult> UpsertTradesAsync(TradeSeriesKey series, IReadOnlyList<Trade> trades, CancellationToken cancellationToken = default)
    {
        Batches.Add(trades.Count);
        long inserted = 0;
        foreach (var t in trades)
        {
            inserted += Rows.TryAdd(t.Id, t) ? 1 : 0;
            Rows[t.Id] = t;
        }

        return ValueTask.FromResult(new UpsertResult(inserted, trades.Count - inserted));
    }

    public ValueTask<long?> LastTradeTimeAsync(TradeSeriesKey series, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Rows.Count == 0 ? null : (long?)Rows.Values.Max(t => t.Timestamp));

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A candle sink that records every batch it is given (to check de-duplication within a batch).</summary>
internal sealed class RecordingSink : ICandleSink
{
    public MemorySink Inner { get; } = new();

    public List<IReadOnlyList<Candle>> Batches { get; } = [];

    public string Description => "recording";

    public ValueTask<SeriesCoverage> GetCoverageAsync(SeriesKey series, TimeRange range, CancellationToken cancellationToken = default) =>
        Inner.GetCoverageAsync(series, range, cancellationToken);

    public ValueTask<UpsertResult> UpsertAsync(SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken = default)
    {
        Batches.Add([.. candles]);
        return Inner.UpsertAsync(series, candles, cancellationToken);
    }

    public ValueTask MarkEmptyAsync(SeriesKey series, IReadOnlyList<TimeRange> ranges, CancellationToken cancellationToken = default) =>
        Inner.MarkEmptyAsync(series, ranges, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => Inner.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Hands a task the scripted client and in-memory sinks (one candle sink and one trade sink per sink definition).</summary>
internal sealed class TestComponents(IExchangeClient client) : ITaskComponents
{
    public MemorySink Candles { get; init; } = new();

    public MemoryTradeSink Trades { get; init; } = new();

    public List<SinkDefinition> TradeSinkDefinitions { get; } = [];

    public IExchangeClient CreateClient(TaskDefinition task) => client;

    public ICandleSink CreateSink(SinkDefinition sink) => Candles;

    public ITradeSink CreateTradeSink(SinkDefinition sink)
    {
        TradeSinkDefinitions.Add(sink);
        return Trades;
    }

    public ITickerSink CreateTickerSink(SinkDefinition sink) => throw new NotSupportedException("no tickers in these tests");
}

/// <summary>Builders of events and tasks.</summary>
internal static class Streams
{
    public const long Minute = 60_000;

    public static readonly long T0 = DateTimeOffset.Parse("2023-03-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    public static readonly Symbol Btc = Symbol.Parse("BTC/USDT");

    public static readonly StreamSubscription Candles1m = StreamSubscription.Candles(Btc, MarketType.Spot, Timeframe.OneMinute);

    public static readonly StreamSubscription TradeSub = StreamSubscription.Trades(Btc, MarketType.Spot);

    public static readonly SeriesKey Series1m = new("test", Btc, MarketType.Spot, Timeframe.OneMinute, PriceType.Last);

    public static Candle Candle(int minute, decimal close, decimal volume = 1) =>
        new(T0 + (minute * Minute), 100, Math.Max(100, close), Math.Min(100, close), close, volume);

    public static CandleEvent Update(Candle candle, bool closed, long? receivedAt = null) =>
        new(Candles1m, receivedAt ?? candle.OpenTime + (closed ? Minute : Minute / 2), candle, closed);

    public static TradeEvent Trade(string id, long time, decimal price, decimal amount = 1) =>
        new(TradeSub, time, new Trade(id, time, price, amount, TradeSide.Buy));

    /// <summary>A Binance-like stream of 1m candles: two in-progress updates and a closed one per candle.</summary>
    public static IEnumerable<MarketEvent> BinanceLike(IEnumerable<Candle> candles)
    {
        foreach (var c in candles)
        {
            yield return Update(c with { Close = c.Open, High = Math.Max(c.Open, c.Low), Volume = c.Volume / 2 }, closed: false, c.OpenTime + 1_000);
            yield return Update(c, closed: false, c.OpenTime + 50_000);
            yield return Update(c, closed: true, c.OpenTime + Minute);
        }
    }

    public static TaskDefinition StreamTask(string stream = "ohlcv", params Timeframe[] timeframes) => new()
    {
        Name = "live",
        Mode = TaskMode.Stream,
        Exchange = "test",
        Symbols = [Btc],
        Timeframes = timeframes.Length == 0 && stream == "ohlcv" ? [Timeframe.OneMinute] : timeframes,
        Stream = stream,
        Sinks = [new SinkDefinition(SinkFormat.Sqlite, "/tmp/unused.db")],
        Location = new SourceLocation("tasks.yaml", 7, 5),
        HealLookback = TimeSpan.Zero,
    };
}
