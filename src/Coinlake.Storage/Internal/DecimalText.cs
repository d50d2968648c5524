using System.Globalization;

namespace Coinlake.Storage.Internal;

/// <summary>Exact decimal text helpers shared by the sinks.</summary>
internal static class DecimalText
{
    private const NumberStyles Styles = NumberStyles.Float;

    /// <summary>The value without trailing fractional zeros (<c>23140.480000</c> -> <c>23140.48</c>); the value is unchanged.</summary>
    public static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;

    /// <summary>Invariant text of the decimal, keeping its scale (<c>23140.48000000</c> stays as written).</summary>
    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses an invariant decimal; exponent notation (<c>5.4e-05</c>, as pandas writes) is accepted.</summary>
    /// <exception cref="FormatException">The text is not a number; the message names <paramref name="where"/>.</exception>
    public static decimal Parse(ReadOnlySpan<char> text, string where)
    {
        if (decimal.TryParse(text, Styles, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new FormatException($"{where}: '{text}' is not a decimal number (expected invariant text such as 23140.48).");
    }

    /// <summary>Number of significant digits left of the decimal point and scale after normalization.</summary>
    public static (int IntegerDigits, int Scale) Shape(decimal value)
    {
        var normalized = Normalize(value);
        var scale = normalized.Scale;
        var integer = decimal.Truncate(Math.Abs(normalized));
        var digits = 0;
        while (integer >= 1)
        {
            integer = decimal.Truncate(integer / 10);
            digits++;
        }

        return (digits, scale);
    }
}
