using Coinlake.Storage;
using Coinlake.Time;

namespace Coinlake.Pipeline.Streaming;

/// <summary>Settings of a <see cref="MarketStreamWriter"/>; defaults inline, validated by <see cref="Validate"/>.</summary>
public sealed class StreamWriterOptions
{
    /// <summary>Events written per batch at most: a batch is flushed when it holds this many events. Default 1000.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>A batch is flushed at the latest this long after the previous flush (and candles are closed by the stream clock
    /// this often). Default 250 ms.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Write as soon as the stream pauses (group commit): a quiet stream commits each event within one
    /// transaction's time, a busy one still writes full batches of <see cref="BatchSize"/>. False: wait for
    /// <see cref="BatchSize"/> events or <see cref="FlushInterval"/>. Default true.</summary>
    public bool FlushWhenIdle { get; init; } = true;

    /// <summary>How often the sinks are asked to make accepted writes durable (<see cref="ICandleSink.FlushAsync"/>; file sinks
    /// rewrite their files then). Always done when the stream stops. Default 10 s.</summary>
    public TimeSpan DurableFlushInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Capacity of the channel between the stream and the writer (back-pressure: the stream waits when it is full). Default 10,000 events.</summary>
    public int ChannelCapacity { get; init; } = 10_000;

    /// <summary>True (default): write closed candles only. False: also upsert the candle in progress as it changes; it ends equal to the closed one.</summary>
    public bool ExcludeCurrentCandle { get; init; } = true;

    /// <summary>
    /// How long after its interval ends a candle built from trades, or a candle the exchange does not mark closed, waits on
    /// the stream clock before it is closed; trades arriving later are logged, counted and left out of the candle. Default 2 s.
    /// </summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Timeframes of the candles built from trade subscriptions (<c>trades -&gt; OHLCV</c>); empty: trades are stored raw only.</summary>
    public IReadOnlyList<Timeframe> TradeTimeframes { get; init; } = [];

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it and its valid range.</exception>
    public void Validate()
    {
        if (BatchSize < 1)
        {
            throw new ArgumentException($"StreamWriterOptions.BatchSize must be at least 1 event; got {BatchSize}.");
        }

        if (FlushInterval <= TimeSpan.Zero || DurableFlushInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"StreamWriterOptions.FlushInterval and DurableFlushInterval must be positive; got {FlushInterval} and {DurableFlushInterval}.");
        }

        if (ChannelCapacity < 1)
        {
            throw new ArgumentException($"StreamWriterOptions.ChannelCapacity must be at least 1 event; got {ChannelCapacity}.");
        }

        if (Grace < TimeSpan.Zero)
        {
            throw new ArgumentException($"StreamWriterOptions.Grace must be 0 or more; got {Grace}.");
        }
    }
}

/// <summary>Where a <see cref="MarketStreamWriter"/> writes: the sinks of one task.</summary>
/// <param name="Exchange">Lower-case exchange id, the first part of every series key written.</param>
public sealed record StreamTargets(string Exchange)
{
    /// <summary>Sinks of candles (candle subscriptions and candles built from trades); written in order, the first one counts in the report.</summary>
    public IReadOnlyList<ICandleSink> CandleSinks { get; init; } = [];

    /// <summary>Sinks of raw trades.</summary>
    public IReadOnlyList<ITradeSink> TradeSinks { get; init; } = [];

    /// <summary>Receives ticker updates; null drops them (counted in the report).</summary>
    public ITickerStreamHandler? Tickers { get; init; }
}
