using System.Numerics;
using global::Parquet.Data;

namespace Coinlake.Storage.Parquet;

/// <summary>
/// Fast exact conversions between <see cref="decimal"/> and Parquet DECIMAL(38,18) unscaled integers
/// (Parquet.Net's own conversion computes <c>10^scale</c> as a BigInteger for every value).
/// </summary>
internal static class ParquetDecimals
{
    private static readonly UInt128[] Powers = BuildPowers();

    /// <summary>The DECIMAL(38,18) form of <paramref name="value"/>; it must have passed the format's validation (at most 18 decimals, 20 integer digits).</summary>
    public static BigDecimal ToBig(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        var scale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        if (scale > ParquetCandleFormat.Scale)
        {
            // Only trailing zeros beyond 18 decimals (validation refused anything else).
            mantissa /= Powers[scale - ParquetCandleFormat.Scale];
        }
        else
        {
            mantissa *= Powers[ParquetCandleFormat.Scale - scale];
        }

        var signed = (Int128)mantissa;
        return new BigDecimal(negative ? -signed : signed, ParquetCandleFormat.Precision, ParquetCandleFormat.Scale);
    }

    /// <summary>The decimal an unscaled DECIMAL value holds, without trailing zeros.</summary>
    /// <exception cref="InvalidDataException">The value has more digits than a .NET decimal holds (28-29).</exception>
    public static decimal ToDecimal(BigDecimal value, string path, string column)
    {
        var unscaled = value.UnscaledValue;
        var scale = value.Scale;
        var negative = unscaled.Sign < 0;
        var magnitude = BigInteger.Abs(unscaled);
        if (magnitude > (BigInteger)UInt128.MaxValue)
        {
            throw TooLarge(value, path, column);
        }

        var m = (UInt128)magnitude;
        while (scale > 0 && m != 0 && m % 10 == 0)
        {
            m /= 10;
            scale--;
        }

        if (m == 0)
        {
            scale = 0;
        }

        if (m >> 96 != 0 || scale > 28)
        {
            throw TooLarge(value, path, column);
        }

        return new decimal((int)(uint)m, (int)(uint)(m >> 32), (int)(uint)(m >> 64), negative, (byte)scale);
    }

    private static InvalidDataException TooLarge(BigDecimal value, string path, string column) =>
        new($"{path}: {column} value {value} has more significant digits than Coinlake's decimals hold (28).");

    private static UInt128[] BuildPowers()
    {
        var powers = new UInt128[39];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}
