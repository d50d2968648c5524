using System.Globalization;
using System.Runtime.CompilerServices;
using Coinlake.Markets;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Exchanges.Binance;

public sealed partial class BinanceClient
{
    /// <summary>Aggregate trades per request: the documented maximum ("Compressed/Aggregate trades list": default 500, max 1000).</summary>
    public const int AggTradeLimit = 1000;

    /// <summary>
    /// Longest <c>startTime</c>..<c>endTime</c> window of a time-bounded aggTrades request, ms: the two must be less
    /// than 1 hour apart (USDⓈ-M "Compressed/Aggregate Trades List"; spot had the same rule until 2022-12), so a window
    /// <c>[t, t + 1 h)</c> is sent as <c>startTime = t</c>, <c>endTime = t + 1 h - 1</c> (both inclusive).
    /// </summary>
    public const long AggTradeWindowMs = 3_600_000;

    /// <summary>
    /// How far behind the client's clock trade coverage stops, ms: Binance serves aggTrades from its database, so a trade
    /// of the last moment may not be visible yet; a range is never claimed complete past <c>now - 1 s</c> unless a
    /// trade was returned for it.
    /// </summary>
    public const long TradeSettleMs = 1_000;

    /// <summary>
    /// <see cref="TradeHistoryDepth.Full"/>: aggregate trades page by id back to the listing (USDⓈ-M serves the last
    /// year only; older requests return nothing).
    /// </summary>
    public TradeHistoryDepth TradeDepth(MarketType type) => TradeHistoryDepth.Full;

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// Aggregate trades ("Compressed/Aggregate trades list": spot <c>GET /api/v3/aggTrades</c>, weight 4; USDⓈ-M
    /// <c>GET /fapi/v1/aggTrades</c>, weight 20; <c>limit</c> 1000). <see cref="Trade.Id"/> is the aggregate id <c>a</c>,
    /// the timestamp <c>T</c> (ms UTC), price <c>p</c> (quote currency), amount <c>q</c> (base currency; contracts'
    /// base for USDⓈ-M), side from <c>m</c> (buyer is maker → the taker sold).
    /// </para>
    /// <para>
    /// Paging: until the first trade is found, one-hour windows from the range start
    /// (<c>startTime</c> + <c>endTime</c>, see <see cref="AggTradeWindowMs"/>); an empty window is yielded as a page with
    /// no trades that covers it, and the next hour is asked. From the first trade on, pages go by
    /// <c>fromId</c> = last id + 1 (ids are consecutive and in time order) until a trade at or after the range end, or a
    /// short page (nothing newer exists).
    /// </para>
    /// <para>
    /// Covered: a window answered with fewer than 1000 trades covers the whole window; a full page covers up to (not
    /// including) its last trade's timestamp, since more trades of that millisecond may follow: its trades of that
    /// millisecond are left to the next page, which asks from the first of them, so every trade of a page lies in its
    /// Covered (except when one millisecond alone fills a page of 1000, then passed on whole); a page reaching the
    /// range end covers to the range end. Coverage never reaches past <c>now -</c>
    /// <see cref="TradeSettleMs"/> unless a trade was returned for that time; then paging stops.
    /// </para>
    /// </remarks>
    /// <exception cref="NotSupportedException">This exchange id does not serve <see cref="TradeRequest.MarketType"/>.</exception>
    /// <exception cref="MalformedResponseException">A page could not be parsed, or a <c>fromId</c> page started before the id asked for.</exception>
    public async IAsyncEnumerable<TradePage> GetTradesAsync(TradeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var isSpot = request.MarketType == MarketType.Spot;
        var api = (isSpot ? _spot : _futures)
            ?? throw new NotSupportedException($"{Exchange} serves no {request.MarketType.ToName()} trades; {NotServedHint(request.MarketType)}");
        var range = request.Range;
        if (range.IsEmpty)
        {
            yield break;
        }

        var market = await GetMarketAsync(request.Symbol, request.MarketType, cancellationToken).ConfigureAwait(false);
        var weight = isSpot ? BinanceWeights.SpotAggTrades : BinanceWeights.FuturesAggTrades;
        var prefix = (isSpot ? "/api/v3/aggTrades?symbol=" : "/fapi/v1/aggTrades?symbol=") + Uri.EscapeDataString(market.Id);
        var limit = AggTradeLimit.ToString(CultureInfo.InvariantCulture);
        var cursor = range.Start;
        long? nextId = null;
        while (cursor < range.End)
        {
            long windowEnd;
            string query;
            if (nextId is { } from)
            {
                windowEnd = range.End;
                query = string.Create(CultureInfo.InvariantCulture, $"{prefix}&fromId={from}&limit={limit}");
            }
            else
            {
                windowEnd = Math.Min(range.End, cursor + AggTradeWindowMs);
                query = string.Create(CultureInfo.InvariantCulture, $"{prefix}&startTime={cursor}&endTime={windowEnd - 1}&limit={limit}");
            }

            var url = api.Url(query);
            var batch = await api.GetAsync(url, weight, (body, u) => BinanceAggTradeParser.Parse(body, u, Exchange), cancellationToken)
                .ConfigureAwait(false);
            var settled = _time.GetUtcNow().ToUnixTimeMilliseconds() - TradeSettleMs;
            var step = ToTradeStep(batch, cursor, windowEnd, range, settled, nextId, url);
            BinanceLog.TradePage(_logger, Exchange, url, step.Page.Trades.Count, step.Page.Covered.ToString());
            if (step.Page.Trades.Count > 0 || !step.Page.Covered.IsEmpty)
            {
                yield return step.Page;
            }

            if (step.Done)
            {
                yield break;
            }

            cursor = step.Cursor;
            nextId = step.NextId;
        }
    }

    /// <summary>
    /// Turns one aggTrades answer into the trades of the range, the range it proves, and where paging goes next.
    /// </summary>
    /// <param name="batch">The parsed answer.</param>
    /// <param name="cursor">Start of the time not yet covered, ms UTC.</param>
    /// <param name="windowEnd">Exclusive end of the time window asked for (the range end for <c>fromId</c> pages).</param>
    /// <param name="range">The requested range.</param>
    /// <param name="settled">Time up to which the exchange is taken to have every trade, ms UTC.</param>
    /// <param name="fromId">The <c>fromId</c> asked for, or null for a time window.</param>
    /// <param name="url">The request, named in errors.</param>
    /// <exception cref="MalformedResponseException">A <c>fromId</c> answer starts before <paramref name="fromId"/> (paging would not advance).</exception>
    internal (TradePage Page, long Cursor, long? NextId, bool Done) ToTradeStep(AggTradeBatch batch, long cursor, long windowEnd, TimeRange range,
        long settled, long? fromId, Uri url)
    {
        if (fromId is { } asked && batch.Count > 0 && batch.FirstId < asked)
        {
            throw new MalformedResponseException(Exchange, url,
                $"asked for aggregate trades from id {asked} but the answer starts at id {batch.FirstId}; paging would not advance");
        }

        var raw = batch.Trades;
        var trades = raw;
        if (raw.Count > 0 && (raw[0].Timestamp < cursor || raw[^1].Timestamp >= range.End))
        {
            trades = raw.FindAll(t => t.Timestamp >= cursor && t.Timestamp < range.End);
        }

        // A trade at or past the range end: everything of the range has been seen.
        if (raw.Count > 0 && raw[^1].Timestamp >= range.End)
        {
            return (new TradePage(trades, new TimeRange(cursor, range.End)), range.End, null, true);
        }

        if (raw.Count >= AggTradeLimit)
        {
            // Full page: trades of its last millisecond may continue on the next page, so that millisecond is not
            // covered, and its trades are left to the next page (which starts at the first of them).
            var lastTime = raw[^1].Timestamp;
            var end = Math.Max(cursor, lastTime);
            var held = raw.FindIndex(t => t.Timestamp == lastTime);
            if (held > 0)
            {
                var kept = raw.GetRange(0, held);
                kept.RemoveAll(t => t.Timestamp < cursor);
                var heldId = long.Parse(raw[held].Id, NumberStyles.None, CultureInfo.InvariantCulture);
                return (new TradePage(kept, new TimeRange(cursor, end)), end, heldId, false);
            }

            // A whole page within one millisecond (over 1000 aggregate trades in 1 ms): pass it on as it is; its
            // trades lie at the end of Covered, which the next page starts from.
            return (new TradePage(trades, new TimeRange(cursor, end)), end, batch.LastId + 1, false);
        }

        // Short page: the exchange has nothing more in the window, as far as its trades have settled.
        var seen = raw.Count > 0 ? raw[^1].Timestamp + 1 : cursor;
        var coveredEnd = Math.Min(windowEnd, Math.Max(cursor, Math.Max(seen, settled)));
        var page = new TradePage(trades, new TimeRange(cursor, coveredEnd));
        if (coveredEnd < windowEnd || fromId is not null || windowEnd >= range.End)
        {
            return (page, coveredEnd, null, true);
        }

        return (page, windowEnd, raw.Count > 0 ? batch.LastId + 1 : null, false);
    }
}
