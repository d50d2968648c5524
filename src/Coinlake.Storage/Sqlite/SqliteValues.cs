using System.Globalization;
using Coinlake.Storage.Internal;
using Microsoft.Data.Sqlite;

namespace Coinlake.Storage.Sqlite;

/// <summary>
/// How decimals are stored: as REAL (what plain SQL compares and sums), exact whenever the decimal converts to a
/// double and back unchanged (every value of up to 15 significant digits, e.g. every Binance 8-decimal price);
/// for a row where some value does not (16+ significant digits, e.g. a large quote volume <c>123456789.12345678</c>),
/// the <c>exact</c> TEXT column also holds the six decimal strings <c>open|high|low|close|volume|quote_volume</c>,
/// and readers take the values from there.
/// </summary>
internal static class SqliteValues
{
    private const ulong FifteenDigits = 1_000_000_000_000_000;

    /// <summary>True when <paramref name="value"/> reads back exactly from its REAL form.</summary>
    /// <remarks>
    /// A decimal of at most 15 significant digits always reads back exactly (15 is the number of decimal digits a
    /// double keeps, and the double-to-decimal conversion rounds to 15 significant digits), so a coefficient below
    /// 10^15 answers without the conversion; longer coefficients (trailing zeros included) take the round trip.
    /// </remarks>
    public static bool IsExactAsReal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        if (bits[2] == 0 && (((ulong)(uint)bits[1] << 32) | (uint)bits[0]) < FifteenDigits)
        {
            return true;
        }

        return IsExactAsRealByRoundTrip(value);
    }

    /// <summary>
    /// The definition <see cref="IsExactAsReal"/> shortcuts: the value survives decimal → double → decimal. Values
    /// within a rounding of <see cref="decimal.MaxValue"/> whose double lies beyond the decimal range are not exact.
    /// </summary>
    public static bool IsExactAsRealByRoundTrip(decimal value)
    {
        try
        {
            return (decimal)(double)value == value;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>The decimal a REAL holds: the double rounded to 15 significant digits (exact for values written by <see cref="IsExactAsReal"/>).</summary>
    public static decimal FromReal(double value) => (decimal)value;

    /// <summary>The <c>exact</c> column text, or null when every value is exact as REAL.</summary>
    public static string? ExactText(decimal open, decimal high, decimal low, decimal close, decimal volume, decimal? quoteVolume)
    {
        if (IsExactAsReal(open) && IsExactAsReal(high) && IsExactAsReal(low) && IsExactAsReal(close) && IsExactAsReal(volume)
            && (quoteVolume is not { } q || IsExactAsReal(q)))
        {
            return null;
        }

        return string.Join('|', DecimalText.Format(open), DecimalText.Format(high), DecimalText.Format(low), DecimalText.Format(close), DecimalText.Format(volume), quoteVolume is { } qv ? DecimalText.Format(qv) : "");
    }

    /// <summary>
    /// The <c>exact</c> column text of a row of any sink (<c>v1|v2|...</c>, empty for null), or null when every value
    /// is exact as REAL.
    /// </summary>
    public static string? ExactText(params ReadOnlySpan<decimal?> values)
    {
        var exact = true;
        foreach (var v in values)
        {
            if (v is { } d && !IsExactAsReal(d))
            {
                exact = false;
                break;
            }
        }

        if (exact)
        {
            return null;
        }

        var parts = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            parts[i] = values[i] is { } d ? DecimalText.Format(d) : "";
        }

        return string.Join('|', parts);
    }

    /// <summary>Splits an <c>exact</c> column of <paramref name="count"/> values.</summary>
    /// <exception cref="FormatException">Another number of values; the message names <paramref name="where"/>.</exception>
    public static string[] SplitExact(string exact, int count, string where)
    {
        var parts = exact.Split('|');
        return parts.Length == count
            ? parts
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{where}: exact column '{exact}' must hold {count} values separated by '|'."));
    }

    /// <summary>One value of a split <c>exact</c> column, or null when empty.</summary>
    public static decimal? ParseExactPart(string part, string where) => part.Length == 0 ? null : DecimalText.Parse(part, where);

    /// <summary>Reads a decimal column stored as REAL, INTEGER or TEXT (databases written by other tools).</summary>
    public static decimal? Read(SqliteDataReader reader, int ordinal, string where)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        var type = reader.GetFieldType(ordinal);
        if (type == typeof(double))
        {
            return FromReal(reader.GetDouble(ordinal));
        }

        if (type == typeof(long))
        {
            return reader.GetInt64(ordinal);
        }

        return DecimalText.Parse(reader.GetString(ordinal), where);
    }

    /// <summary>Parses one value of the <c>exact</c> column (index 0..5), or null when empty.</summary>
    public static decimal? ReadExact(string exact, int index, string where)
    {
        var parts = exact.Split('|');
        if (parts.Length != 6)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{where}: exact column '{exact}' must hold 6 values separated by '|'."));
        }

        return parts[index].Length == 0 ? null : DecimalText.Parse(parts[index], where);
    }
}
