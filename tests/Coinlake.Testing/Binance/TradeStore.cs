using System.Collections.Concurrent;
using System.Globalization;
using Coinlake.Time;
using Coinlake.Trades;

namespace Coinlake.Testing.Binance;

/// <summary>One aggregate trade as the fake server holds it: the numeric id Binance pages by, and the trade.</summary>
internal readonly record struct StoredTrade(long Id, Trade Trade);

/// <summary>
/// The fake server's aggregate trades per (exchange symbol id, market), held as immutable arrays sorted by id (and so
/// by time: Binance assigns aggregate trade ids in execution order), swapped on write so readers never lock.
/// </summary>
internal sealed class TradeStore
{
    /// <summary>The most decimals a Binance answer carries (prices and quantities are 8-decimal strings).</summary>
    private const int MaxScale = 8;

    private readonly ConcurrentDictionary<(string Symbol, FakeMarket Market), StoredTrade[]> _trades = new();
    private readonly Lock _write = new();

    /// <summary>Adds (or replaces, by id) trades of a symbol.</summary>
    /// <exception cref="ArgumentException">An id is not a non-negative integer, a price or amount has more than 8 decimals
    /// or is not positive, or timestamps do not grow with ids.</exception>
    public void Add(string symbolId, FakeMarket market, IReadOnlyList<Trade> trades)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbolId);
        ArgumentNullException.ThrowIfNull(trades);
        var incoming = new StoredTrade[trades.Count];
        for (var i = 0; i < incoming.Length; i++)
        {
            var t = trades[i];
            if (!long.TryParse(t.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new ArgumentException(
                    $"Trade #{i} of '{symbolId}' has id '{t.Id}': Binance aggregate trade ids are non-negative integers; give the trades numeric ids (e.g. their row numbers).",
                    nameof(trades));
            }

            if (t.Price <= 0 || t.Amount <= 0 || t.Price.Scale > MaxScale || t.Amount.Scale > MaxScale)
            {
                throw new ArgumentException(
                    $"Trade {t.Id} of '{symbolId}' has price {t.Price} and amount {t.Amount}: both must be positive with at most {MaxScale} decimals (Binance sends 8-decimal strings).",
                    nameof(trades));
            }

            incoming[i] = new StoredTrade(id, t);
        }

        var key = (symbolId, market);
        lock (_write)
        {
            var byId = new Dictionary<long, StoredTrade>();
            foreach (var s in _trades.TryGetValue(key, out var existing) ? existing : [])
            {
                byId[s.Id] = s;
            }

            foreach (var s in incoming)
            {
                byId[s.Id] = s;
            }

            var merged = byId.Values.ToArray();
            Array.Sort(merged, static (a, b) => a.Id.CompareTo(b.Id));
            for (var i = 1; i < merged.Length; i++)
            {
                if (merged[i].Trade.Timestamp < merged[i - 1].Trade.Timestamp)
                {
                    throw new ArgumentException(
                        $"Trade {merged[i].Id} of '{symbolId}' at {TimeRange.FormatTime(merged[i].Trade.Timestamp)} is older than trade {merged[i - 1].Id} at {TimeRange.FormatTime(merged[i - 1].Trade.Timestamp)}: Binance assigns aggregate trade ids in time order.",
                        nameof(trades));
                }
            }

            _trades[key] = merged;
        }
    }

    /// <summary>True when trades were registered for the id on that market.</summary>
    public bool IsRegistered(string symbolId, FakeMarket market) => _trades.ContainsKey((symbolId, market));

    /// <summary>The trades of a symbol sorted by id, or an empty array.</summary>
    public StoredTrade[] Get(string symbolId, FakeMarket market) =>
        _trades.TryGetValue((symbolId, market), out var trades) ? trades : [];

    /// <summary>
    /// Selects trades as <c>GET /api/v3/aggTrades</c> does: with <paramref name="fromId"/>, the first
    /// <paramref name="limit"/> with id &gt;= it (and, when given, time within the bounds); with a
    /// <paramref name="start"/>, the first <paramref name="limit"/> with time &gt;= it (and &lt;= <paramref name="end"/>);
    /// with only an <paramref name="end"/>, the last <paramref name="limit"/> with time &lt;= it; with none, the most
    /// recent <paramref name="limit"/>. Ascending by id.
    /// </summary>
    public static ReadOnlySpan<StoredTrade> Query(StoredTrade[] trades, long? fromId, long? start, long? end, int limit)
    {
        var from = start ?? long.MinValue;
        var to = end ?? long.MaxValue;
        if (trades.Length == 0 || limit <= 0 || from > to)
        {
            return [];
        }

        if (fromId is { } id)
        {
            var lo = LowerBoundId(trades, id);
            var n = 0;
            var first = -1;
            for (var i = lo; i < trades.Length && n < limit; i++)
            {
                var time = trades[i].Trade.Timestamp;
                if (time > to)
                {
                    break;
                }

                if (time < from)
                {
                    continue;
                }

                if (first < 0)
                {
                    first = i;
                }

                n++;
            }

            return n == 0 ? [] : trades.AsSpan(first, n);
        }

        var lower = LowerBoundTime(trades, from);
        var upper = to == long.MaxValue ? trades.Length : LowerBoundTime(trades, to + 1);
        var count = Math.Min(limit, upper - lower);
        if (count <= 0)
        {
            return [];
        }

        return start.HasValue ? trades.AsSpan(lower, count) : trades.AsSpan(upper - count, count);
    }

    private static int LowerBoundId(StoredTrade[] trades, long id)
    {
        int lo = 0, hi = trades.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (trades[mid].Id < id)
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

    private static int LowerBoundTime(StoredTrade[] trades, long time)
    {
        int lo = 0, hi = trades.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (trades[mid].Trade.Timestamp < time)
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
