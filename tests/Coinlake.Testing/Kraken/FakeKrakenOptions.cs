namespace Coinlake.Testing.Kraken;

/// <summary>
/// Behaviour of a <see cref="FakeKrakenServer"/>. Read on every request, so a test may change a value while the
/// server runs.
/// </summary>
public sealed class FakeKrakenOptions
{
    /// <summary>
    /// Public requests one IP may send back to back (a token bucket's size). Past it the server answers
    /// <c>{"error":["EGeneral:Too many requests"]}</c> (HTTP 200, Kraken's envelope). <c>&lt;= 0</c> disables the limit.
    /// </summary>
    public int RateLimitBurst { get; set; } = 3;

    /// <summary>One token is added back every <see cref="RateLimitInterval"/> (Kraken public endpoints: about 1 per second).</summary>
    public TimeSpan RateLimitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait before answering each OHLC or Trades request (on <see cref="TimeProvider"/>); zero answers at once.</summary>
    public TimeSpan ResponseDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The server's clock: "now" of the OHLC window and the candle in progress, tickers, rate limits and request times.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>One request the fake server received.</summary>
/// <param name="Path">URL path, e.g. <c>/0/public/OHLC</c>.</param>
/// <param name="Query">Raw query without the leading <c>?</c>, e.g. <c>pair=XXBTZUSD&amp;interval=1</c>.</param>
/// <param name="Status">HTTP status sent; 0 when none was (connection aborted, stalled request).</param>
/// <param name="Error">The first entry of the envelope's <c>error</c> array, if the answer carried one.</param>
/// <param name="Time">Arrival time on <see cref="FakeKrakenOptions.TimeProvider"/>.</param>
public sealed record FakeKrakenRequest(string Path, string Query, int Status, string? Error, DateTimeOffset Time);
