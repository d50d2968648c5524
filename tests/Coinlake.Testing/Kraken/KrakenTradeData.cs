using System.Globalization;
using Coinlake.Candles;
using Coinlake.Trades;

namespace Coinlake.Testing.Kraken;

/// <summary>
/// Loads the real trades of <c>shared/data/trades/</c> (see <see cref="TestData.Root"/>) for the fake Kraken server
/// and its tests, and derives trades from candles for backfills deeper than the recorded trades. Loaded lists are
/// cached and read-only; every trade id is a decimal integer (Kraken's <c>trade_id</c> is one).
/// </summary>
public static class KrakenTradeData
{
    /// <summary>
    /// 12,477 real Binance XRP/ETH trades, 2019-10-11 to 2019-10-13 (<c>freqtrade-XRP_ETH-trades.json.gz</c>,
    /// <c>[ts_ms, id, order, side, price, amount, cost]</c>): id, ms timestamp, price (ETH) and amount (XRP) exactly
    /// from the JSON text, side buy/sell. Ascending by time then id.
    /// </summary>
    public static IReadOnlyList<Trade> FreqtradeXrpEth() => TradeData.FreqtradeXrpEth();

    /// <summary>
    /// Real Kraken BCH/EUR trades (<c>kraken-BCHEUR-trades.csv</c>, <c>ts_seconds,price,volume</c>): timestamps in whole
    /// seconds (× 1000 ms), price in EUR, volume in BCH, exact. The file has no id and no side: ids are the line numbers
    /// (1, 2, ...) and the side is <see cref="TradeSide.Unknown"/>.
    /// </summary>
    public static IReadOnlyList<Trade> KrakenBchEur() => TradeData.KrakenBchEur();

    /// <summary>
    /// Four trades per candle that aggregate back to it (<see cref="TradeAggregator"/>): the open at the open time, the
    /// high 15 s in, the low 30 s in, the close 45 s in (for 1m candles), each with a quarter of the volume (exact:
    /// decimals divide by 4 without rounding). Candles with zero volume have no trades and are skipped. Ids count up
    /// from <paramref name="firstId"/>; sides alternate buy/sell.
    /// </summary>
    /// <param name="candles">1m candles, ascending.</param>
    /// <param name="firstId">Id of the first trade.</param>
    public static IReadOnlyList<Trade> FromCandles(IEnumerable<Candle> candles, long firstId = 1)
    {
        ArgumentNullException.ThrowIfNull(candles);
        var trades = new List<Trade>();
        var id = firstId;
        foreach (var c in candles)
        {
            if (c.Volume <= 0)
            {
                continue;
            }

            var quarter = c.Volume / 4;
            var last = c.Volume - (3 * quarter);
            trades.Add(Make(c.OpenTime, c.Open, quarter, TradeSide.Buy));
            trades.Add(Make(c.OpenTime + 15_000, c.High, quarter, TradeSide.Sell));
            trades.Add(Make(c.OpenTime + 30_000, c.Low, quarter, TradeSide.Buy));
            trades.Add(Make(c.OpenTime + 45_000, c.Close, last, TradeSide.Sell));
        }

        return trades;

        Trade Make(long time, decimal price, decimal amount, TradeSide side) => new((id++).ToString(CultureInfo.InvariantCulture), time, price, amount, side);
    }

}
