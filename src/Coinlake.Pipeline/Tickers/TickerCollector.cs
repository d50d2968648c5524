using Coinlake.Exchanges;
using Coinlake.Markets;
using Coinlake.Storage;
using Coinlake.Tickers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinlake.Pipeline.Tickers;

/// <summary>
/// Takes 24h ticker snapshots at a fixed interval (the seed's ticker scheduler: every 5 minutes) and stores them
/// with their snapshot time; keeps the latest ticker per symbol in a bounded in-memory cache (<see cref="TickerCache"/>,
/// <see cref="TickerCache.DefaultCapacity"/> symbols). The live counterpart is <see cref="TickerStreamCollector"/>.
/// </summary>
public sealed partial class TickerCollector(ITickerClient client, IReadOnlyList<ITickerSink> sinks, TimeProvider? timeProvider = null, ILogger? logger = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly TickerCache _latest = new();

    /// <summary>Most recent ticker of each symbol seen (at most one entry per symbol, at most <see cref="TickerCache.DefaultCapacity"/> symbols).</summary>
    public IReadOnlyDictionary<Symbol, Ticker> Latest => _latest.Latest.ToDictionary(t => t.Symbol);

    /// <summary>
    /// Snapshots the tickers of <paramref name="symbols"/> (all markets of <paramref name="marketType"/> when empty) once,
    /// or every <paramref name="interval"/> until <paramref name="duration"/> has passed (null = until cancelled).
    /// Returns (snapshots taken, rows stored).
    /// </summary>
    /// <exception cref="ExchangeException">The exchange failed for good.</exception>
    public async Task<(long Snapshots, long Rows)> RunAsync(string exchange, MarketType marketType, IReadOnlyList<Symbol> symbols, TimeSpan? interval, TimeSpan? duration, CancellationToken cancellationToken = default)
    {
        long snapshots = 0, rows = 0;
        var started = _time.GetTimestamp();
        using var timer = interval is { } period ? new PeriodicTimer(period, _time) : null;
        while (true)
        {
            var tickers = await client.GetTickersAsync(marketType, symbols.Count == 0 ? null : symbols, cancellationToken).ConfigureAwait(false);
            await TickerSnapshots.WriteAsync(sinks, exchange, marketType, tickers, cancellationToken).ConfigureAwait(false);
            foreach (var ticker in tickers)
            {
                _latest.Set(marketType, ticker);
            }

            snapshots++;
            rows += tickers.Count;
            LogSnapshot(_logger, exchange, tickers.Count);
            if (timer is null || (duration is { } d && d > TimeSpan.Zero && _time.GetElapsedTime(started) + interval!.Value > d))
            {
                return (snapshots, rows);
            }

            if (!await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                return (snapshots, rows);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Exchange}: ticker snapshot of {Count} symbol(s) stored")]
    private static partial void LogSnapshot(ILogger logger, string exchange, int count);
}
