using Coinlake.Markets;
using Coinlake.Time;

namespace Coinlake.Storage;

/// <summary>
/// What a reader cannot tell from a file: files without series columns (CSV, JSON, foreign Parquet) get their series
/// from the file name (<c>BTCUSDT_1m.json</c>, freqtrade's <c>UNITTEST_BTC-1m.json</c>), and every hint set here
/// overrides what the name says. For SQLite, <see cref="Table"/> picks the candle table.
/// </summary>
public sealed record ReaderHints
{
    /// <summary>Exchange id (<c>binance</c>); when neither given nor in the file or folder name, <c>unknown</c>.</summary>
    public string? Exchange { get; init; }

    /// <summary>Unified symbol (<c>BTC/USDT</c>, <c>BTC/USDT:USDT</c>).</summary>
    public Symbol? Symbol { get; init; }

    /// <summary>Candle timeframe.</summary>
    public Timeframe? Timeframe { get; init; }

    /// <summary>Market type; by default the one the symbol implies (or swap for freqtrade's <c>-futures</c> files).</summary>
    public MarketType? MarketType { get; init; }

    /// <summary>Price type; by default last (or mark/index for freqtrade's <c>-mark</c>/<c>-index</c> files).</summary>
    public PriceType? Price { get; init; }

    /// <summary>SQLite table to read; by default <c>candles</c>, else the only table with candle columns.</summary>
    public string? Table { get; init; }
}
