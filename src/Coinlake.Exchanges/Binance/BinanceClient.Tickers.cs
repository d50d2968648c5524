using System.Text;
using Coinlake.Markets;
using Coinlake.Tickers;

namespace Coinlake.Exchanges.Binance;

public sealed partial class BinanceClient
{
    /// <summary>Spot symbols per <c>ticker/24hr?symbols=</c> request: 20 is the most that weighs 2 (21-100 weigh 40).</summary>
    public const int SpotTickerBatch = 20;

    /// <summary>
    /// Above this many chosen USDⓈ-M symbols, tickers are fetched for every symbol (24hr weight 40 + bookTicker 5) and
    /// filtered, rather than one 24hr (weight 1) and one bookTicker (weight 2) request per symbol.
    /// </summary>
    public const int FuturesPerSymbolTickerMax = 5;

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// Spot: "24hr ticker price change statistics" <c>GET /api/v3/ticker/24hr</c>. Chosen symbols go in batches of
    /// <see cref="SpotTickerBatch"/> as <c>symbols=["BTCUSDT","ETHBTC"]</c> (weight 2 each), or, above 800 symbols
    /// (where batches would weigh more), as one request for every symbol (weight 80) filtered; no symbols → every symbol
    /// (weight 80). Bid and ask are the answer's <c>bidPrice</c>/<c>askPrice</c>.
    /// </para>
    /// <para>
    /// USDⓈ-M swaps and futures: <c>GET /fapi/v1/ticker/24hr</c> has no bid or ask, so
    /// <c>GET /fapi/v1/ticker/bookTicker</c> ("Symbol Order Book Ticker") is fetched too and joined by symbol id: per
    /// symbol (<c>symbol=</c>, weights 1 + 2) for up to <see cref="FuturesPerSymbolTickerMax"/> symbols, else for every
    /// symbol (weights 40 + 5).
    /// </para>
    /// <para>
    /// Mapping: ids are mapped back to unified symbols through <c>exchangeInfo</c> (ids it does not list for
    /// <paramref name="type"/>, e.g. a dated future in a swap request, are skipped); timestamp = <c>closeTime</c>;
    /// last/open/high/low = <c>lastPrice</c>/<c>openPrice</c>/<c>highPrice</c>/<c>lowPrice</c>; base and quote volume =
    /// <c>volume</c>/<c>quoteVolume</c>; change = <c>priceChange</c>; change percent = <c>priceChangePercent</c>. A bid
    /// or ask of 0 (no order on that side of the book) is null. Chosen symbols come back in the order asked (each
    /// once); all symbols in the exchange's order.
    /// </para>
    /// </remarks>
    /// <exception cref="NotSupportedException">This exchange id does not serve <paramref name="type"/>.</exception>
    /// <exception cref="MalformedResponseException">An answer could not be parsed.</exception>
    public async Task<IReadOnlyList<Ticker>> GetTickersAsync(MarketType type, IReadOnlyList<Symbol>? symbols = null, CancellationToken cancellationToken = default)
    {
        var isSpot = type == MarketType.Spot;
        var api = (isSpot ? _spot : _futures)
            ?? throw new NotSupportedException($"{Exchange} serves no {type.ToName()} tickers; {NotServedHint(type)}");
        var table = (await GetTableAsync(type, cancellationToken).ConfigureAwait(false))!;
        List<MarketInfo>? wanted = null;
        if (symbols is not null)
        {
            wanted = [];
            var seen = new HashSet<Symbol>();
            foreach (var symbol in symbols)
            {
                ArgumentNullException.ThrowIfNull(symbol, nameof(symbols));
                if (seen.Add(symbol))
                {
                    wanted.Add(await GetMarketAsync(symbol, type, cancellationToken).ConfigureAwait(false));
                }
            }

            if (wanted.Count == 0)
            {
                return [];
            }
        }

        var raw = new List<RawTicker>();
        var books = new Dictionary<string, RawTicker>(StringComparer.Ordinal);
        if (isSpot)
        {
            if (wanted is null || wanted.Count > 40 * SpotTickerBatch)
            {
                raw.AddRange(await FetchTickersAsync(api, "/api/v3/ticker/24hr", BinanceWeights.SpotTickersAll, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                foreach (var chunk in wanted.Chunk(SpotTickerBatch))
                {
                    var ids = new StringBuilder("[");
                    foreach (var m in chunk)
                    {
                        ids.Append(ids.Length > 1 ? ",\"" : "\"").Append(m.Id).Append('"');
                    }

                    var path = "/api/v3/ticker/24hr?symbols=" + Uri.EscapeDataString(ids.Append(']').ToString());
                    raw.AddRange(await FetchTickersAsync(api, path, BinanceWeights.SpotTickers(chunk.Length), cancellationToken).ConfigureAwait(false));
                }
            }
        }
        else
        {
            List<RawTicker> bookTickers = [];
            if (wanted is null || wanted.Count > FuturesPerSymbolTickerMax)
            {
                raw.AddRange(await FetchTickersAsync(api, "/fapi/v1/ticker/24hr", BinanceWeights.FuturesTickersAll, cancellationToken).ConfigureAwait(false));
                bookTickers.AddRange(await FetchTickersAsync(api, "/fapi/v1/ticker/bookTicker", BinanceWeights.FuturesBookTickersAll, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                foreach (var m in wanted)
                {
                    var id = Uri.EscapeDataString(m.Id);
                    raw.AddRange(await FetchTickersAsync(api, "/fapi/v1/ticker/24hr?symbol=" + id, BinanceWeights.FuturesTicker, cancellationToken).ConfigureAwait(false));
                    bookTickers.AddRange(await FetchTickersAsync(api, "/fapi/v1/ticker/bookTicker?symbol=" + id, BinanceWeights.FuturesBookTicker, cancellationToken).ConfigureAwait(false));
                }
            }

            foreach (var b in bookTickers)
            {
                books[b.Symbol] = b;
            }
        }

        var byId = new Dictionary<string, Ticker>(StringComparer.Ordinal);
        var ordered = new List<Ticker>(raw.Count);
        var skipped = 0;
        foreach (var r in raw)
        {
            if (!table.TryGetById(r.Symbol, type, out var market) || byId.ContainsKey(r.Symbol))
            {
                skipped++;
                continue;
            }

            var book = books.GetValueOrDefault(r.Symbol);
            var ticker = new Ticker(market.Symbol, r.CloseTime ?? book?.Time ?? _time.GetUtcNow().ToUnixTimeMilliseconds(),
                r.LastPrice, NonZero(book?.BidPrice ?? r.BidPrice), NonZero(book?.AskPrice ?? r.AskPrice), r.HighPrice, r.LowPrice, r.OpenPrice,
                r.Volume, r.QuoteVolume, r.PriceChange, r.PriceChangePercent);
            byId[r.Symbol] = ticker;
            ordered.Add(ticker);
        }

        if (skipped > 0)
        {
            BinanceLog.TickersSkipped(_logger, Exchange, skipped, type.ToName());
        }

        return wanted is null ? ordered : [.. wanted.Where(m => byId.ContainsKey(m.Id)).Select(m => byId[m.Id])];

        static decimal? NonZero(decimal? price) => price is 0m ? null : price;
    }

    private async Task<List<RawTicker>> FetchTickersAsync(BinanceRestApi api, string pathAndQuery, int weight, CancellationToken cancellationToken)
    {
        var url = api.Url(pathAndQuery);
        var tickers = await api.GetAsync(url, weight, (body, u) => BinanceTickerParser.Parse(body, u, Exchange), cancellationToken).ConfigureAwait(false);
        BinanceLog.Tickers(_logger, Exchange, url, tickers.Count);
        return tickers;
    }
}
