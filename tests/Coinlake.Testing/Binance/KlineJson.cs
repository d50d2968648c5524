using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using Coinlake.Candles;
using Coinlake.Time;

namespace Coinlake.Testing.Binance;

/// <summary>
/// Renders kline rows exactly as Binance does (spot API "Kline/Candlestick data"):
/// <c>[openTime,"open","high","low","close","volume",closeTime,"quoteVolume",trades,"takerBuyBase","takerBuyQuote","0"]</c>
/// with decimals as fixed 8-decimal strings (<c>"23140.48000000"</c>), straight into a pooled UTF-8 buffer without
/// per-row allocations. Taker-buy volumes are <c>"0.00000000"</c> (the sources have no taker split). Mark/index rows
/// (USDⓈ-M "Mark Price Kline" / "Index Price Kline") carry <c>"0"</c> in every volume field.
/// </summary>
internal static class KlineJson
{
    private const int MaxRowBytes = 448;

    private static readonly ulong[] _pow10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

    /// <summary>Renders <paramref name="candles"/>; the caller returns the buffer to <see cref="ArrayPool{T}.Shared"/>.</summary>
    public static byte[] Render(ReadOnlySpan<Candle> candles, Timeframe timeframe, bool priceOnly, out int length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(2 + (candles.Length * MaxRowBytes));
        var span = buffer.AsSpan();
        var p = 0;
        span[p++] = (byte)'[';
        for (var i = 0; i < candles.Length; i++)
        {
            ref readonly var c = ref candles[i];
            if (i > 0)
            {
                span[p++] = (byte)',';
            }

            span[p++] = (byte)'[';
            p += Long(c.OpenTime, span[p..]);
            p += Dec(c.Open, span[p..], true);
            p += Dec(c.High, span[p..], true);
            p += Dec(c.Low, span[p..], true);
            p += Dec(c.Close, span[p..], true);
            if (priceOnly)
            {
                p += Literal(",\"0\","u8, span[p..]);
            }
            else
            {
                p += Dec(c.Volume, span[p..], true);
                span[p++] = (byte)',';
            }

            p += Long(timeframe.Next(c.OpenTime) - 1, span[p..]);
            if (priceOnly)
            {
                p += Literal(",\"0\","u8, span[p..]);
            }
            else
            {
                p += Dec(c.QuoteVolume.GetValueOrDefault(), span[p..], true);
                span[p++] = (byte)',';
            }

            p += Long(c.TradeCount.GetValueOrDefault(), span[p..]);
            p += Literal(priceOnly ? ",\"0\",\"0\",\"0\"]"u8 : ",\"0.00000000\",\"0.00000000\",\"0\"]"u8, span[p..]);
        }

        span[p++] = (byte)']';
        length = p;
        return buffer;
    }

    /// <summary>Formats <paramref name="value"/> as Binance's fixed 8-decimal text (rounded half away from zero past 8 decimals).</summary>
    public static string Format(decimal value)
    {
        Span<byte> buffer = stackalloc byte[48];
        var n = Dec(value, buffer, false);
        return System.Text.Encoding.ASCII.GetString(buffer[..n]);
    }

    private static int Literal(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        return text.Length;
    }

    private static int Long(long value, Span<byte> destination)
    {
        if (!Utf8Formatter.TryFormat(value, destination, out var written))
        {
            throw new InvalidOperationException("Kline row buffer too small.");
        }

        return written;
    }

    // ,"123.45000000"  (leading comma and quotes when quoted)
    private static int Dec(decimal value, Span<byte> destination, bool quoted)
    {
        var p = 0;
        if (quoted)
        {
            destination[p++] = (byte)',';
            destination[p++] = (byte)'"';
        }

        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        if (scale > 8)
        {
            value = decimal.Round(value, 8, MidpointRounding.AwayFromZero);
            decimal.GetBits(value, bits);
            scale = (bits[3] >> 16) & 0xFF;
        }

        var mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        var multiplier = _pow10[8 - scale];
        if (bits[2] == 0 && mantissa <= ulong.MaxValue / multiplier)
        {
            var units = mantissa * multiplier;
            if (bits[3] < 0 && units != 0)
            {
                destination[p++] = (byte)'-';
            }

            Utf8Formatter.TryFormat(units / 100_000_000, destination[p..], out var written);
            p += written;
            destination[p++] = (byte)'.';
            Utf8Formatter.TryFormat(units % 100_000_000, destination[p..], out written, new StandardFormat('D', 8));
            p += written;
        }
        else
        {
            value.TryFormat(destination[p..], out var written, "F8", CultureInfo.InvariantCulture);
            p += written;
        }

        if (quoted)
        {
            destination[p++] = (byte)'"';
        }

        return p;
    }
}
