using Coinlake.Markets;
using Coinlake.Tickers;
using Coinlake.Trades;

namespace Coinlake.Storage;

/// <summary>Identity of a trade series: (exchange, symbol, market type).</summary>
/// <param name="Exchange">Lower-case exchange id.</param>
/// <param name="Symbol">Unified symbol.</param>
/// <param name="MarketType">Spot, swap or future.</param>
public sealed record TradeSeriesKey(string Exchange, Symbol Symbol, MarketType MarketType)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Exchange} {Symbol} {MarketType.ToName()}";
}

/// <summary>A destination for trades, keyed by series + trade id (idempotent upserts).</summary>
public interface ITradeSink : IAsyncDisposable
{
    /// <summary>Short description for logs.</summary>
    string Description { get; }

    /// <summary>Inserts or replaces <paramref name="trades"/> of <paramref name="series"/>.</summary>
    ValueTask<UpsertResult> UpsertTradesAsync(TradeSeriesKey series, IReadOnlyList<Trade> trades, CancellationToken cancellationToken = default);

    /// <summary>Newest stored trade timestamp (ms UTC) of the series, or null: where a resumed collection starts.</summary>
    ValueTask<long?> LastTradeTimeAsync(TradeSeriesKey series, CancellationToken cancellationToken = default);

    /// <summary>Makes accepted writes durable.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>A destination for ticker snapshots, keyed by (exchange, symbol, market type, snapshot time).</summary>
public interface ITickerSink : IAsyncDisposable
{
    /// <summary>Short description for logs.</summary>
    string Description { get; }

    /// <summary>Stores snapshots of <paramref name="exchange"/>/<paramref name="marketType"/> (a repeated key replaces the row).</summary>
    ValueTask<UpsertResult> UpsertTickersAsync(string exchange, MarketType marketType, IReadOnlyList<Ticker> tickers, CancellationToken cancellationToken = default);
}
