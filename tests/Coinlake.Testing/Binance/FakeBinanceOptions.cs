namespace Coinlake.Testing.Binance;

/// <summary>
/// Behaviour of a <see cref="FakeBinanceServer"/>. Read on every request, so a test may change a value while the
/// server runs (e.g. lower <see cref="WeightLimit"/> mid-test).
/// </summary>
public sealed class FakeBinanceOptions
{
    /// <summary>
    /// Request weight allowed per <see cref="WeightWindow"/> for the one client IP (Binance spot: 6000 per minute;
    /// the captured exchangeInfo says 1200, the limit of 2021). <c>&lt;= 0</c> disables rate limiting (weight is
    /// still counted and reported in <c>X-MBX-USED-WEIGHT-1M</c>).
    /// </summary>
    public int WeightLimit { get; set; } = 6000;

    /// <summary>
    /// Length of the fixed weight window. Windows are aligned on multiples of this length since the Unix epoch, as
    /// Binance's minute windows are calendar minutes. Tests use ~1 s windows; the header name stays <c>-1M</c>.
    /// </summary>
    public TimeSpan WeightWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// After this many consecutive rate-limit 429 answers (no allowed request between them) the IP is banned: every
    /// request gets 418 until <see cref="BanDuration"/> has elapsed. <c>&lt;= 0</c> disables bans.
    /// Binance spot API, "LIMITS / IP Limits".
    /// </summary>
    public int BanAfterConsecutive429 { get; set; } = 3;

    /// <summary>How long a ban lasts (Binance: 2 minutes to 3 days; tests use seconds).</summary>
    public TimeSpan BanDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Wait before answering each klines-family or aggTrades request (measured on <see cref="TimeProvider"/>), so a test can stop
    /// a run mid-way. Zero (the default) answers at once.
    /// </summary>
    public TimeSpan ResponseDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Clock for weight windows, bans, <see cref="ResponseDelay"/> and request times; tests may pass a <c>FakeTimeProvider</c>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The instant 24hr tickers and book tickers are computed at (their window is the 24 h before it, their
    /// <c>closeTime</c>/<c>time</c> is it); null (the default) means now on <see cref="TimeProvider"/>.
    /// </summary>
    public DateTimeOffset? TickerTime { get; set; }
}
