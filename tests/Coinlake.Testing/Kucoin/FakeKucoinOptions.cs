namespace Coinlake.Testing.Kucoin;

/// <summary>
/// Behaviour of a <see cref="FakeKucoinServer"/>. Read on every request, so a test may change a value while the
/// server runs (e.g. lower <see cref="PublicPoolQuota"/> mid-test).
/// </summary>
public sealed class FakeKucoinOptions
{
    /// <summary>
    /// Quota of the <c>Public</c> resource pool per <see cref="PoolWindow"/> (KuCoin docs-new "Rate Limit": 2000 per
    /// 30 s). <c>&lt;= 0</c> disables rate limiting (use is still counted and reported in the <c>gw-ratelimit-*</c> headers).
    /// </summary>
    public int PublicPoolQuota { get; set; } = 2000;

    /// <summary>
    /// Length of a pool window. As KuCoin counts it, a window starts at the arrival of the first request after the
    /// previous window ended ("updated every 30s, starting from the arrival time of the user's first request").
    /// </summary>
    public TimeSpan PoolWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Rows of one kline answer at most ("Get Klines": 1500); tests lower it to make answers cut.</summary>
    public int MaxCandles { get; set; } = 1500;

    /// <summary>Trades of one trade-history answer ("Get Trade History": the last 100).</summary>
    public int TradeHistorySize { get; set; } = 100;

    /// <summary>Wait before answering each market-data request (measured on <see cref="TimeProvider"/>); zero answers at once.</summary>
    public TimeSpan ResponseDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Clock for pool windows, "now" (the candle in progress, the last 100 trades, the 24h ticker window) and request
    /// times; tests may pass a <c>FakeTimeProvider</c> or an accelerated clock.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
