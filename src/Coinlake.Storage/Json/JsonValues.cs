using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coinlake.Storage.Internal;

namespace Coinlake.Storage.Json;

/// <summary>Value readers shared by the JSON candle and trade formats; callers raise their own format-specific error.</summary>
internal static class JsonValues
{
    /// <summary>Reads a time: ms since epoch (integer or decimal number) or ISO-8601 text; false on any other token.</summary>
    public static bool TryReadTime(ref Utf8JsonReader reader, string path, out long time)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out var integer):
                time = TimeText.FromInteger(integer);
                return true;
            case JsonTokenType.Number:
                time = TimeText.FromInteger((long)reader.GetDecimal());
                return true;
            case JsonTokenType.String:
                time = TimeText.Parse(reader.GetString()!, Where(path, reader));
                return true;
            default:
                time = 0;
                return false;
        }
    }

    /// <summary>Reads an exact decimal from a number or a decimal string (null for JSON null); false on any other token.</summary>
    public static bool TryReadDecimal(ref Utf8JsonReader reader, string path, out decimal? value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                value = null;
                return true;
            case JsonTokenType.Number when reader.TryGetDecimal(out var number):
                value = number;
                return true;
            case JsonTokenType.Number:
            case JsonTokenType.String:
                var span = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
                value = DecimalText.Parse(Encoding.UTF8.GetString(span), Where(path, reader));
                return true;
            default:
                value = null;
                return false;
        }
    }

    /// <summary>Where the reader is, for error messages: <c>PATH at byte N</c>.</summary>
    public static string Where(string path, in Utf8JsonReader reader) =>
        string.Create(CultureInfo.InvariantCulture, $"{path} at byte {reader.TokenStartIndex}");
}
