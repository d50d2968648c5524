using Coinlake.Markets;
using Coinlake.Tickers;

namespace Coinlake.Pipeline.Tickers;

/// <summary>
/// The latest ticker per (market type, symbol), bounded: beyond <see cref="Capacity"/> entries the least recently
/// updated symbol is evicted (with whatever state the owner attached to it). Remembers which entries changed since the
/// last <see cref="TakeChanged"/>, so a snapshot writes only new rows. Thread-safe (one lock; every operation is O(1)
/// except the copies <see cref="Latest"/> and <see cref="TakeChanged"/>).
/// </summary>
public sealed class TickerCache
{
    /// <summary>The default bound: 10,000 symbols (every spot and derivative market of a large exchange).</summary>
    public const int DefaultCapacity = 10_000;

    private readonly Dictionary<(MarketType, Symbol), LinkedListNode<Entry>> _index = [];
    private readonly LinkedList<Entry> _order = new();
    private readonly Lock _lock = new();

    /// <summary>Creates an empty cache holding at most <paramref name="capacity"/> symbols.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public TickerCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most symbols kept.</summary>
    public int Capacity { get; }

    /// <summary>Symbols held now (at most <see cref="Capacity"/>).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _index.Count;
            }
        }
    }

    /// <summary>Symbols evicted so far because the cache was full.</summary>
    public long Evicted { get; private set; }

    /// <summary>A copy of the latest ticker of every symbol held, most recently updated first.</summary>
    public IReadOnlyList<Ticker> Latest
    {
        get
        {
            lock (_lock)
            {
                var result = new Ticker[_order.Count];
                var i = 0;
                for (var node = _order.Last; node is not null; node = node.Previous)
                {
                    result[i++] = node.Value.Ticker;
                }

                return result;
            }
        }
    }

    /// <summary>The latest ticker of <paramref name="symbol"/> in <paramref name="marketType"/>, or null when not held.</summary>
    public Ticker? Get(MarketType marketType, Symbol symbol)
    {
        lock (_lock)
        {
            return _index.TryGetValue((marketType, symbol), out var node) ? node.Value.Ticker : null;
        }
    }

    /// <summary>Stores <paramref name="ticker"/> as the latest of its symbol, marks it changed and makes it the most recently updated.</summary>
    public void Set(MarketType marketType, Ticker ticker) => Update(marketType, ticker, static (_, _) => { });

    /// <summary>
    /// Stores <paramref name="ticker"/> like <see cref="Set"/> and, under the cache's lock, calls <paramref name="attach"/>
    /// with the symbol's entry state (null for a new or evicted-and-returned symbol) so per-symbol state (e.g. an alert
    /// window) lives and is evicted with the entry; whatever the callback stores in <see cref="EntryState.Value"/> is kept.
    /// </summary>
    internal TResult Update<TResult>(MarketType marketType, Ticker ticker, Func<EntryState, Ticker, TResult> attach)
    {
        ArgumentNullException.ThrowIfNull(ticker);
        lock (_lock)
        {
            var key = (marketType, ticker.Symbol);
            if (_index.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                node.Value.Ticker = ticker;
            }
            else
            {
                if (_index.Count >= Capacity)
                {
                    var oldest = _order.First!;
                    _order.RemoveFirst();
                    _index.Remove((oldest.Value.MarketType, oldest.Value.Ticker.Symbol));
                    Evicted++;
                }

                node = new LinkedListNode<Entry>(new Entry(marketType, ticker));
                _index[key] = node;
            }

            node.Value.Changed = true;
            _order.AddLast(node);
            return attach(node.Value.State, ticker);
        }
    }

    /// <summary>Void form of <see cref="Update{TResult}"/>.</summary>
    internal void Update(MarketType marketType, Ticker ticker, Action<EntryState, Ticker> attach) =>
        Update(marketType, ticker, (state, t) =>
        {
            attach(state, t);
            return 0;
        });

    /// <summary>The tickers changed since the previous call, grouped by market type, and clears their changed mark.</summary>
    public IReadOnlyList<(MarketType MarketType, IReadOnlyList<Ticker> Tickers)> TakeChanged()
    {
        lock (_lock)
        {
            var groups = new Dictionary<MarketType, List<Ticker>>();
            foreach (var entry in _order)
            {
                if (!entry.Changed)
                {
                    continue;
                }

                entry.Changed = false;
                if (!groups.TryGetValue(entry.MarketType, out var list))
                {
                    groups[entry.MarketType] = list = [];
                }

                list.Add(entry.Ticker);
            }

            return [.. groups.OrderBy(g => g.Key).Select(g => (g.Key, (IReadOnlyList<Ticker>)g.Value))];
        }
    }

    /// <summary>Per-symbol state an owner attaches to a cache entry; dropped with the entry on eviction.</summary>
    internal sealed class EntryState
    {
        /// <summary>The owner's state, or null before the first <see cref="Update{TResult}"/> set it.</summary>
        public object? Value { get; set; }
    }

    private sealed class Entry(MarketType marketType, Ticker ticker)
    {
        public MarketType MarketType { get; } = marketType;

        public Ticker Ticker { get; set; } = ticker;

        public bool Changed { get; set; }

        public EntryState State { get; } = new();
    }
}
