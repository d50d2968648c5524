namespace Coinlake.Pipeline.Tasks;

/// <summary>Settings for <see cref="TaskFileLoader"/>; defaults inline.</summary>
public sealed class TaskFileOptions
{
    /// <summary>The exchanges Coinlake ships connectors for: binance, bybit, coinbase, kraken, kucoin, okx.</summary>
    public static IReadOnlySet<string> DefaultExchanges { get; } =
        new HashSet<string>(["binance", "bybit", "coinbase", "kraken", "kucoin", "okx"], StringComparer.Ordinal);

    /// <summary>
    /// Lower-case ids a task's <c>exchange</c> may name (hosts pass the ids of the connectors they wire).
    /// An unknown exchange is an error that names the closest known one.
    /// </summary>
    public IReadOnlySet<string> KnownExchanges { get; set; } = DefaultExchanges;

    /// <summary>SQLite database used when a task names no sink (or no <c>output</c> for a SQLite sink); relative to the task file's folder.</summary>
    public string DefaultSqlitePath { get; set; } = "data/coinlake.db";

    /// <summary>
    /// Folder under which file sinks without an <c>output</c> write, one sub-folder per format
    /// (<c>data/parquet</c>, <c>data/csv</c>, <c>data/json</c>); relative to the task file's folder.
    /// </summary>
    public string DefaultFileFolder { get; set; } = "data";

    /// <summary>Home folder that <c>~</c> in output paths stands for; <see langword="null"/> = the current user's profile folder.</summary>
    public string? HomeDirectory { get; set; }

    /// <summary>Clock giving the start of stream tasks (the load time); tests pass a <c>FakeTimeProvider</c>.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;
}
