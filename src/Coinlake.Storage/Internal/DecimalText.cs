using System.Globalization;

namespace Coinlake.Storage.Internal;

/// <summary>Exact decimal text helpers shared by the sinks.</summary>
internal static class DecimalText
{
    private const NumberStyles Styles = NumberStyles.Float;

    /// <summary>10^0 .. 10^28 as decimals (10^29 exceeds decimal; every decimal is below 10^29).</summary>
    private static readonly decimal[] PowersOfTen = BuildPowers();

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

    /// <summary>
    /// True when <paramref name="value"/> is stored exactly by a DECIMAL(<paramref name="integerDigits"/> +
    /// <paramref name="scale"/>, <paramref name="scale"/>): |value| &lt; 10^integerDigits and at most
    /// <paramref name="scale"/> fractional digits once trailing zeros are dropped. O(1): one comparison with a
    /// precomputed bound and the decimal's scale (normalized only when the written scale is larger).
    /// </summary>
    /// <param name="value">The value.</param>
    /// <param name="integerDigits">Integer digits allowed, 0..28.</param>
    /// <param name="scale">Fractional digits allowed, 0..28.</param>
    public static bool FitsDecimal(decimal value, int integerDigits, int scale)
    {
        if (integerDigits <= 28 && decimal.Abs(value) >= PowersOfTen[integerDigits])
        {
            return false;
        }

        return value.Scale <= scale || Normalize(value).Scale <= scale;
    }

    private static decimal[] BuildPowers()
    {
        var powers = new decimal[29];
        powers[0] = 1m;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10m;
        }

        return powers;
    }
}
