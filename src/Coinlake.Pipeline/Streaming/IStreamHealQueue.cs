using Coinlake.Candles;
using Coinlake.Storage;
using Coinlake.Time;

namespace Coinlake.Pipeline.Streaming;

/// <summary>Where the <see cref="MarketStreamWriter"/> hands missed windows to heal (the background <see cref="StreamHealer"/>).</summary>
internal interface IStreamHealQueue
{
    /// <summary>Heals the candles of <paramref name="series"/> with open times in <paramref name="window"/> (ms UTC); every candle in it has closed.</summary>
    void HealCandles(SeriesKey series, TimeRange window, string reason);

    /// <summary>Heals the trades of <paramref name="series"/> with timestamps in <paramref name="window"/> (ms UTC).</summary>
    void HealTrades(TradeSeriesKey series, TimeRange window, string reason);
}
