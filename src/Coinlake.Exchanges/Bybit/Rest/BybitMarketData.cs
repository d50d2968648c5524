using System.Text.Json;
using Coinlake.Markets;
using Coinlake.Tickers;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Bybit.Rest;

/// <summary>Parses the results of "Get Recent Public Trades" and "Get Tickers" (v5 market endpoints).</summary>
internal static class BybitMarketData
{
    /// <summary>
    /// Reads a <c>/v5/market/recent-trade</c> result: <c>{"category":"spot","list":[{"execId":"2100000000007764263",
    /// "symbol":"BTCUSDT","price":"16618.49","size":"0.00012","side":"Buy","time":"1672052955758",...}]}</c>. Returns the
    /// trades as sent (Bybit sends the newest first); sizes are contracts for inverse contracts, as Bybit reports them.
    /// </summary>
    /// <exception cref="MalformedResponseException">Not such an object, or a trade without id, time, price, size or side.</exception>
    public static List<Trade> ReadTrades(ref Utf8JsonReader reader, Uri url, string exchange)
    {
        RecentTradesResultDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(ref reader, BybitJsonContext.Default.RecentTradesResultDto);
        }
        catch (JsonException ex)
        {
            throw new MalformedResponseException(exchange, url, $"invalid recent-trade result: {ex.Message}", ex);
        }

        if (dto?.List is null)
        {
            throw new MalformedResponseException(exchange, url, "the recent-trade result has no 'list' array");
        }

        var trades = new List<Trade>(dto.List.Count);
        for (var i = 0; i < dto.List.Count; i++)
        {
            var t = dto.List[i];
            if (string.IsNullOrEmpty(t.ExecId) || !long.TryParse(t.Time, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var time))
            {
                throw new MalformedResponseException(exchange, url, $"trade #{i + 1} has no execId or no integer time (execId '{t.ExecId}', time '{t.Time}')");
            }

            var price = BybitEnvelope.OptionalDecimal(t.Price, exchange, url, "price of trade " + t.ExecId)
                ?? throw new MalformedResponseException(exchange, url, $"trade {t.ExecId} has no price");
            var size = BybitEnvelope.OptionalDecimal(t.Size, exchange, url, "size of trade " + t.ExecId)
                ?? throw new MalformedResponseException(exchange, url, $"trade {t.ExecId} has no size");
            var side = t.Side switch
            {
                "Buy" => TradeSide.Buy,
                "Sell" => TradeSide.Sell,
                _ => TradeSide.Unknown,
            };
            trades.Add(new Trade(t.ExecId, time, price, size, side));
        }

        return trades;
    }

    /// <summary>
    /// Reads a <c>/v5/market/tickers</c> result into (symbol id, ticker) pairs; <paramref name="toSymbol"/> names a symbol
    /// id (null: not a market Coinlake knows — skipped). Mapping: <c>lastPrice</c>, <c>bid1Price</c>, <c>ask1Price</c>,
    /// <c>highPrice24h</c>, <c>lowPrice24h</c>, open = <c>prevPrice24h</c>, change = last − open, percent =
    /// <c>price24hPcnt</c> × 100 (Bybit sends a fraction: <c>"0.0068"</c> is +0.68 %). Volumes: <c>volume24h</c> is in the
    /// base coin and <c>turnover24h</c> in the quote coin, except for inverse contracts where <c>volume24h</c> counts
    /// USD contracts (quote) and <c>turnover24h</c> is in the base coin ("Get Tickers"); they are swapped there.
    /// Empty strings (Bybit's "not applicable") become null.
    /// </summary>
    /// <exception cref="MalformedResponseException">Not such an object, or a value that is not a decimal.</exception>
    public static List<Ticker> ReadTickers(ref Utf8JsonReader reader, Uri url, string exchange, bool inverse, long timestamp,
        Func<string, Symbol?> toSymbol)
    {
        TickersResultDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(ref reader, BybitJsonContext.Default.TickersResultDto);
        }
        catch (JsonException ex)
        {
            throw new MalformedResponseException(exchange, url, $"invalid tickers result: {ex.Message}", ex);
        }

        if (dto?.List is null)
        {
            throw new MalformedResponseException(exchange, url, "the tickers result has no 'list' array");
        }

        var tickers = new List<Ticker>(dto.List.Count);
        foreach (var t in dto.List)
        {
            if (string.IsNullOrEmpty(t.Symbol) || toSymbol(t.Symbol) is not { } symbol)
            {
                continue;
            }

            var last = Dec(t.LastPrice, "lastPrice");
            var open = Dec(t.PrevPrice24h, "prevPrice24h");
            var percent = Dec(t.Price24hPcnt, "price24hPcnt");
            var volume = Dec(t.Volume24h, "volume24h");
            var turnover = Dec(t.Turnover24h, "turnover24h");
            tickers.Add(new Ticker(
                symbol,
                timestamp,
                last,
                Dec(t.Bid1Price, "bid1Price"),
                Dec(t.Ask1Price, "ask1Price"),
                Dec(t.HighPrice24h, "highPrice24h"),
                Dec(t.LowPrice24h, "lowPrice24h"),
                open,
                inverse ? turnover : volume,
                inverse ? volume : turnover,
                last - open,
                percent * 100));

            decimal? Dec(string? text, string field) => BybitEnvelope.OptionalDecimal(text, exchange, url, $"{field} of {t.Symbol}");
        }

        return tickers;
    }
}
