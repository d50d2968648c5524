using Coinlake.Testing;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Tests.Binance;

public sealed class TradeDataTests
{
    [Fact]
    public void FreqtradeXrpEth_Loaded_Has12477ConsecutiveTradesWithExactValues()
    {
        var trades = TradeData.FreqtradeXrpEth();

        trades.Count.ShouldBe(12_477);
        trades[0].ShouldBe(new Trade("13519807", 1570752011620, 0.00141342m, 23.0m, TradeSide.Sell));
        trades[3].Side.ShouldBe(TradeSide.Buy);
        trades.Select(t => long.Parse(t.Id, System.Globalization.CultureInfo.InvariantCulture))
            .ShouldBe(Enumerable.Range(0, 12_477).Select(i => 13519807L + i));
        trades.Zip(trades.Skip(1)).ShouldAllBe(p => p.First.Timestamp <= p.Second.Timestamp);
    }

    [Fact]
    public void KrakenBchEur_Loaded_SynthesizesRowIdsAndUnknownSides()
    {
        var trades = TradeData.KrakenBchEur();

        trades.Count.ShouldBe(148);
        trades[0].ShouldBe(new Trade("1", 1672531436000, 90.54m, 1.1044842m, TradeSide.Unknown));
        trades[^1].Id.ShouldBe("148");
        trades.ShouldAllBe(t => t.Side == TradeSide.Unknown);
    }
}
