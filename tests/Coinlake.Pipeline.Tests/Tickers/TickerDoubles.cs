using System.Threading.Channels;
using Coinlake.Markets;
using Coinlake.Storage;
using Coinlake.Storage.Alerts;
using Coinlake.Streaming;
using Coinlake.Tickers;

namespace Coinlake.Pipeline.Tests.Tickers;

/// <summary>A ticker sink that records every call and signals it on a channel.</summary>
internal sealed class RecordingTickerSink : ITickerSink
{
    private readonly Channel<(MarketType MarketType, IReadOnlyList<Ticker> Tickers)> _calls = Channel.CreateUnbounded<(MarketType, IReadOnlyList<Ticker>)>();

    public string Description => "recording";

    public List<(MarketType MarketType, IReadOnlyList<Ticker> Tickers)> Calls { get; } = [];

    public ValueTask<UpsertResult> UpsertTickersAsync(string exchange, MarketType marketType, IReadOnlyList<Ticker> tickers, CancellationToken cancellationToken = default)
    {
        lock (Calls)
        {
            Calls.Add((marketType, tickers.ToList()));
        }

        _calls.Writer.TryWrite((marketType, tickers.ToList()));
        return ValueTask.FromResult(new UpsertResult(tickers.Count, 0));
    }

    /// <summary>Waits for the next call (a 10 s guard against a hang, not a timing assertion).</summary>
    public async Task<(MarketType MarketType, IReadOnlyList<Ticker> Tickers)> NextCallAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _calls.Reader.ReadAsync(guard.Token);
    }

    public bool HasPendingCall => _calls.Reader.TryPeek(out _);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>An alert sink that keeps what it was given.</summary>
internal sealed class RecordingAlertSink : IAlertSink
{
    public string Description => "recording alerts";

    public List<PriceAlert> Alerts { get; } = [];

    public ValueTask<UpsertResult> WriteAlertsAsync(IReadOnlyList<PriceAlert> alerts, CancellationToken cancellationToken = default)
    {
        Alerts.AddRange(alerts);
        return ValueTask.FromResult(new UpsertResult(alerts.Count, 0));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

internal static class Tick
{
    public static readonly Symbol Btc = Symbol.Parse("BTC/USDT");

    public static Ticker Of(Symbol symbol, long time, decimal? last, decimal? bid = null) =>
        new(symbol, time, last, bid, null, null, null, null, null, null, null, null);

    public static TickerEvent Event(Symbol symbol, long receivedAt, decimal? last, MarketType marketType = MarketType.Spot) =>
        new(StreamSubscription.Tickers(symbol, marketType), receivedAt, Of(symbol, receivedAt, last));

    public static TickerEvent Event(long receivedAt, decimal last) => Event(Btc, receivedAt, last);
}
