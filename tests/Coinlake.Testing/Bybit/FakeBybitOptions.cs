namespace Coinlake.Testing.Bybit;

/// <summary>
/// Behaviour of a <see cref="FakeBybitServer"/>. Read on every request, so a test may change a value while the server
/// runs.
/// </summary>
public sealed class FakeBybitOptions
{
    /// <summary>
    /// Requests allowed per <see cref="RequestWindow"/> for the one client IP (Bybit: "600 requests within a 5-second
    /// window per IP", "Rate Limit Rules"). <c>&lt;= 0</c> disables the limit.
    /// </summary>
    public int RequestLimit { get; set; } = 600;

    /// <summary>Length of the fixed request window, aligned on multiples of itself since the Unix epoch (Bybit: 5 s).</summary>
    public TimeSpan RequestWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long every request is refused with HTTP 403 after the limit was broken (Bybit: "wait for at least 10 minutes.
    /// The ban will be lifted automatically"). Tests use seconds on an accelerated clock.
    /// </summary>
    public TimeSpan BanDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Most instruments one <c>instruments-info</c> page holds whatever <c>limit</c> asks (Bybit: 1000), so tests can make
    /// the client follow <c>nextPageCursor</c> through the recorded list.
    /// </summary>
    public int MaxInstrumentsPageSize { get; set; } = 1000;

    /// <summary>Rows a <see cref="FakeBybitFault.CappedPage"/> answer keeps (the newest ones).</summary>
    public int CappedPageSize { get; set; } = 100;

    /// <summary>Wait before answering each market-data request (on <see cref="TimeProvider"/>). Zero answers at once.</summary>
    public TimeSpan ResponseDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Clock for request windows, bans, the envelope's <c>time</c>, and "now": candles opening after now and trades after
    /// now are not served yet, and the candle containing now is served as the candle in progress. Tests may pass a
    /// <c>FakeTimeProvider</c> set inside the data.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
