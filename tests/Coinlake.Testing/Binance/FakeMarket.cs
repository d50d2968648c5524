namespace Coinlake.Testing.Binance;

/// <summary>Which Binance API a series is served by.</summary>
public enum FakeMarket
{
    /// <summary>Spot: <c>/api/v3/klines</c>.</summary>
    Spot,

    /// <summary>USDⓈ-M futures: <c>/fapi/v1/klines</c>, <c>/fapi/v1/markPriceKlines</c>, <c>/fapi/v1/indexPriceKlines</c>.</summary>
    Futures,
}

/// <summary>One request the fake server received.</summary>
/// <param name="Path">URL path, e.g. <c>/api/v3/klines</c>.</param>
/// <param name="Query">Raw query string without the leading <c>?</c>, e.g. <c>symbol=BTCUSDT&amp;interval=1m</c>.</param>
/// <param name="Status">HTTP status sent; 0 when none was (connection aborted, stalled request).</param>
/// <param name="Weight">Request weight charged to the window (0 for injected faults and rejected requests).</param>
/// <param name="Time">Arrival time on <see cref="FakeBinanceOptions.TimeProvider"/>.</param>
public sealed record RecordedRequest(string Path, string Query, int Status, int Weight, DateTimeOffset Time);
