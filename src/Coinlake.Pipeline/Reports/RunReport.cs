using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Pipeline.Reports;

/// <summary>Outcome of one series within a task.</summary>
public sealed class SeriesReport(SeriesKey series)
{
    /// <summary>The series.</summary>
    public SeriesKey Series { get; } = series;

    /// <summary>Aligned range of closed candles the task asked for (ms UTC).</summary>
    public TimeRange Range { get; set; }

    /// <summary>Candle slots that were missing before the run.</summary>
    public long MissingBefore { get; set; }

    /// <summary>Candles received from the exchange.</summary>
    public long Fetched { get; set; }

    /// <summary>Rows new to the first sink.</summary>
    public long Inserted { get; set; }

    /// <summary>Rows that replaced a stored candle in the first sink.</summary>
    public long Updated { get; set; }

    /// <summary>Candles rejected by validation (not stored).</summary>
    public long Invalid { get; set; }

    /// <summary>Candle slots the exchange answered as empty during this run.</summary>
    public long EmptyCandles { get; set; }

    /// <summary>Runs of candles still missing after the run (not stored, not known empty).</summary>
    public IReadOnlyList<Gap> RemainingGaps { get; set; } = [];

    /// <summary>Candle slots the exchange has no candle for (known empty) within the range.</summary>
    public long KnownEmpty { get; set; }
}

/// <summary>Outcome of one task: its series, request counters, duration and error.</summary>
public sealed class TaskReport(string name)
{
    /// <summary>Task name.</summary>
    public string Name { get; } = name;

    /// <summary>Per-series outcomes (candle tasks).</summary>
    public List<SeriesReport> Series { get; } = [];

    /// <summary>Per-series outcomes (trade tasks).</summary>
    public List<TradeSeriesReport> TradeSeries { get; } = [];

    /// <summary>Ticker snapshots taken (ticker tasks).</summary>
    public long TickerSnapshots { get; set; }

    /// <summary>Ticker rows stored (ticker tasks).</summary>
    public long TickerRows { get; set; }

    /// <summary>Live stream counters (<c>mode: stream</c> tasks); null for other tasks.</summary>
    public StreamReport? Stream { get; set; }

    /// <summary>HTTP requests sent, retries included.</summary>
    public long Requests { get; set; }

    /// <summary>Retried requests.</summary>
    public long Retries { get; set; }

    /// <summary>Answers that were rate limits (429/418).</summary>
    public long RateLimited { get; set; }

    /// <summary>Wall-clock duration.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>Set when the task failed; the message says what and where.</summary>
    public string? Error { get; set; }

    /// <summary>Notes for the user (e.g. an exchange limitation that applied).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>True when the task ended without error.</summary>
    public bool Succeeded => Error is null;

    /// <summary>Sum over candle and trade series (candles or trades received; ticker rows).</summary>
    public long Fetched => Series.Sum(s => s.Fetched) + TradeSeries.Sum(s => s.Fetched) + TickerRows;

    /// <summary>Sum over candle and trade series.</summary>
    public long Inserted => Series.Sum(s => s.Inserted) + TradeSeries.Sum(s => s.Inserted);

    /// <summary>Sum over candle and trade series.</summary>
    public long Updated => Series.Sum(s => s.Updated) + TradeSeries.Sum(s => s.Updated);

    /// <summary>Sum over series of candles still missing.</summary>
    public long RemainingMissing => Series.Sum(s => s.RemainingGaps.Sum(g => g.MissingCandles));

    /// <summary>Sum over series of gap runs still missing.</summary>
    public long RemainingGapRuns => Series.Sum(s => s.RemainingGaps.Count);
}

/// <summary>Outcome of a whole run.</summary>
public sealed class RunReport
{
    /// <summary>Tasks in the order they ran.</summary>
    public List<TaskReport> Tasks { get; } = [];

    /// <summary>True when every task succeeded.</summary>
    public bool Succeeded => Tasks.All(t => t.Succeeded);
}

/// <summary>Outcome of one trade series within a task.</summary>
public sealed class TradeSeriesReport(Coinlake.Storage.TradeSeriesKey series)
{
    /// <summary>The series.</summary>
    public Coinlake.Storage.TradeSeriesKey Series { get; } = series;

    /// <summary>Timestamps asked for after resuming (ms UTC).</summary>
    public TimeRange Range { get; set; }

    /// <summary>How far back the exchange's trade API reaches.</summary>
    public Coinlake.Exchanges.TradeHistoryDepth Depth { get; set; }

    /// <summary>Trades received.</summary>
    public long Fetched { get; set; }

    /// <summary>Trades new to the first sink.</summary>
    public long Inserted { get; set; }

    /// <summary>Trades already stored (replaced).</summary>
    public long Updated { get; set; }
}
