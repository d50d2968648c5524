using Coinlake.Markets;

namespace Coinlake.Storage.Alerts;

/// <summary>Which way a price moved.</summary>
public enum PriceDirection
{
    /// <summary>The price rose from the window's minimum.</summary>
    Up,

    /// <summary>The price fell from the window's maximum.</summary>
    Down,
}

/// <summary>Names of <see cref="PriceDirection"/> as stored: <c>up</c>, <c>down</c>.</summary>
public static class PriceDirectionNames
{
    /// <summary><c>up</c> or <c>down</c>.</summary>
    public static string ToName(this PriceDirection direction) => direction == PriceDirection.Up ? "up" : "down";

    /// <summary>Parses <c>up</c>/<c>down</c> (case-insensitive).</summary>
    /// <exception cref="FormatException">Any other text.</exception>
    public static PriceDirection Parse(string text) =>
        string.Equals(text, "up", StringComparison.OrdinalIgnoreCase) ? PriceDirection.Up
        : string.Equals(text, "down", StringComparison.OrdinalIgnoreCase) ? PriceDirection.Down
        : throw new FormatException($"'{text}' is not a price direction; expected 'up' or 'down'.");
}

/// <summary>
/// A price alert raised by a ticker stream: the last price of <paramref name="Symbol"/> moved more than the task's
/// <c>alert_percent</c> within its <c>alert_window</c>, measured from the window's minimum (a rise) or maximum (a fall).
/// </summary>
/// <param name="Exchange">Lower-case exchange id, e.g. <c>binance</c>.</param>
/// <param name="Symbol">Unified symbol.</param>
/// <param name="MarketType">Spot, swap or future.</param>
/// <param name="WindowStart">When the reference price (<paramref name="FromPrice"/>) was seen, ms since epoch UTC.</param>
/// <param name="WindowEnd">When the price that crossed the threshold (<paramref name="ToPrice"/>) was seen, ms since epoch UTC.</param>
/// <param name="FromPrice">The window's minimum (rise) or maximum (fall) last price, quote currency.</param>
/// <param name="ToPrice">The last price that crossed the threshold, quote currency.</param>
/// <param name="ChangePercent">(<paramref name="ToPrice"/> - <paramref name="FromPrice"/>) / <paramref name="FromPrice"/> × 100, rounded to 8 decimals; negative for a fall.</param>
/// <param name="Direction">Up or down.</param>
public sealed record PriceAlert(
    string Exchange,
    Symbol Symbol,
    MarketType MarketType,
    long WindowStart,
    long WindowEnd,
    decimal FromPrice,
    decimal ToPrice,
    decimal ChangePercent,
    PriceDirection Direction);

/// <summary>A destination for price alerts (a SQLite table, ...), keyed by (exchange, symbol, market type, window end, direction).</summary>
public interface IAlertSink : IAsyncDisposable
{
    /// <summary>Short description for logs, e.g. <c>sqlite data/coinlake.db (alerts)</c>.</summary>
    string Description { get; }

    /// <summary>Stores <paramref name="alerts"/>; a repeated key replaces the row (a replayed stream writes each alert once).</summary>
    ValueTask<UpsertResult> WriteAlertsAsync(IReadOnlyList<PriceAlert> alerts, CancellationToken cancellationToken = default);
}
