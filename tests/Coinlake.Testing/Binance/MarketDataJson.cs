using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Coinlake.Candles;
using Coinlake.Trades;

namespace Coinlake.Testing.Binance;

/// <summary>The best bid and ask a test set for a symbol (<see cref="FakeBinanceServer.SetBookTicker"/>).</summary>
internal readonly record struct FakeBook(decimal BidPrice, decimal BidQty, decimal AskPrice, decimal AskQty);

/// <summary>
/// Renders aggregate trades, 24hr tickers and book tickers as Binance does, decimals as fixed 8-decimal strings
/// (<c>"0.00141342"</c>), percentages with 3 decimals (<c>"-95.960"</c>).
/// </summary>
internal static class MarketDataJson
{
    private const long DayMs = 86_400_000;

    /// <summary>
    /// <c>[{"a":26129,"p":"0.01633102","q":"4.70443515","f":26129,"l":26129,"T":1498793709153,"m":true,"M":true}, ...]</c>
    /// (spot "Compressed/Aggregate trades list"; USDⓈ-M has no <c>M</c>). The fake holds no individual trades, so
    /// <c>f</c> = <c>l</c> = <c>a</c>; <c>m</c> (buyer is maker) is true when the taker sold, false otherwise (Unknown
    /// sides are served as taker buys).
    /// </summary>
    public static byte[] AggTrades(ReadOnlySpan<StoredTrade> trades, bool spot)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(256, trades.Length * 130));
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartArray();
            foreach (ref readonly var s in trades)
            {
                writer.WriteStartObject();
                writer.WriteNumber("a", s.Id);
                writer.WriteString("p", KlineJson.Format(s.Trade.Price));
                writer.WriteString("q", KlineJson.Format(s.Trade.Amount));
                writer.WriteNumber("f", s.Id);
                writer.WriteNumber("l", s.Id);
                writer.WriteNumber("T", s.Trade.Timestamp);
                writer.WriteBoolean("m", s.Trade.Side == TradeSide.Sell);
                if (spot)
                {
                    writer.WriteBoolean("M", true);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes one 24hr ticker object computed from the 1m candles whose open time lies in <c>[now - 24h, now)</c>:
    /// open = the first candle's open, high/low = extremes, last = the last candle's close, volume and quote volume
    /// summed, count = Σ trade counts, <c>prevClosePrice</c> = the close of the last candle before the window,
    /// <c>openTime</c> = now - 24h, <c>closeTime</c> = now, <c>firstId</c>/<c>lastId</c> = 0 and count - 1 (or -1 and -1
    /// without trades). Without any candle in the window every value is zero (as Binance answers for idle symbols).
    /// Spot (FULL) carries <c>prevClosePrice</c>, <c>bidPrice</c>/<c>bidQty</c>/<c>askPrice</c>/<c>askQty</c>
    /// (from <paramref name="book"/>, else bid = ask = last with quantity 0); USDⓈ-M has none of them.
    /// </summary>
    public static void Ticker24h(Utf8JsonWriter writer, string symbol, Candle[] minutes, long now, bool spot, FakeBook? book)
    {
        var windowStart = now - DayMs;
        var lo = LowerBound(minutes, windowStart);
        var hi = LowerBound(minutes, now);
        decimal open = 0, high = 0, low = 0, last = 0, volume = 0, quote = 0, prevClose = 0;
        long count = 0;
        if (lo > 0)
        {
            prevClose = minutes[lo - 1].Close;
        }

        if (hi > lo)
        {
            open = minutes[lo].Open;
            high = minutes[lo].High;
            low = minutes[lo].Low;
            last = minutes[hi - 1].Close;
            for (var i = lo; i < hi; i++)
            {
                var c = minutes[i];
                high = Math.Max(high, c.High);
                low = Math.Min(low, c.Low);
                volume += c.Volume;
                quote += c.QuoteVolume.GetValueOrDefault();
                count += c.TradeCount.GetValueOrDefault();
            }
        }

        var change = last - open;
        var percent = open == 0 ? 0 : decimal.Round(change / open * 100m, 3, MidpointRounding.AwayFromZero);
        var weighted = volume == 0 ? 0 : quote / volume;
        writer.WriteStartObject();
        writer.WriteString("symbol", symbol);
        writer.WriteString("priceChange", KlineJson.Format(change));
        writer.WriteString("priceChangePercent", percent.ToString("F3", CultureInfo.InvariantCulture));
        writer.WriteString("weightedAvgPrice", KlineJson.Format(weighted));
        if (spot)
        {
            writer.WriteString("prevClosePrice", KlineJson.Format(prevClose));
        }

        writer.WriteString("lastPrice", KlineJson.Format(last));
        writer.WriteString("lastQty", KlineJson.Format(0));
        if (spot)
        {
            var b = book ?? new FakeBook(last, 0, last, 0);
            writer.WriteString("bidPrice", KlineJson.Format(b.BidPrice));
            writer.WriteString("bidQty", KlineJson.Format(b.BidQty));
            writer.WriteString("askPrice", KlineJson.Format(b.AskPrice));
            writer.WriteString("askQty", KlineJson.Format(b.AskQty));
        }

        writer.WriteString("openPrice", KlineJson.Format(open));
        writer.WriteString("highPrice", KlineJson.Format(high));
        writer.WriteString("lowPrice", KlineJson.Format(low));
        writer.WriteString("volume", KlineJson.Format(volume));
        writer.WriteString("quoteVolume", KlineJson.Format(quote));
        writer.WriteNumber("openTime", windowStart);
        writer.WriteNumber("closeTime", now);
        writer.WriteNumber("firstId", count > 0 ? 0 : -1);
        writer.WriteNumber("lastId", count > 0 ? count - 1 : -1);
        writer.WriteNumber("count", count);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes one USDⓈ-M book ticker (<c>{"symbol","bidPrice","bidQty","askPrice","askQty","time"}</c>) from
    /// <paramref name="book"/>, else bid = ask = the close of the last candle opened before now, quantity 0.
    /// </summary>
    public static void BookTicker(Utf8JsonWriter writer, string symbol, Candle[] minutes, long now, FakeBook? book)
    {
        var hi = LowerBound(minutes, now);
        var last = hi > 0 ? minutes[hi - 1].Close : 0;
        var b = book ?? new FakeBook(last, 0, last, 0);
        writer.WriteStartObject();
        writer.WriteString("symbol", symbol);
        writer.WriteString("bidPrice", KlineJson.Format(b.BidPrice));
        writer.WriteString("bidQty", KlineJson.Format(b.BidQty));
        writer.WriteString("askPrice", KlineJson.Format(b.AskPrice));
        writer.WriteString("askQty", KlineJson.Format(b.AskQty));
        writer.WriteNumber("time", now);
        writer.WriteEndObject();
    }

    private static int LowerBound(Candle[] candles, long time)
    {
        int lo = 0, hi = candles.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (candles[mid].OpenTime < time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
