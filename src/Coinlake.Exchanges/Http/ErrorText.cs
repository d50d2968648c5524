using System.Text;
using System.Text.Json;

namespace Coinlake.Exchanges.Http;

/// <summary>Reads the code of an error body's code property; <paramref name="current"/> is the value read so far (kept when the token does not fit).</summary>
/// <param name="reader">Positioned on the property's value.</param>
/// <param name="current">The code read so far (from an earlier property of the same name), or default.</param>
internal delegate TCode ErrorCodeReader<TCode>(ref Utf8JsonReader reader, TCode current);

/// <summary>Error bodies: their code and message, and their text for exception messages.</summary>
internal static class ErrorText
{
    /// <summary>
    /// Reads the top-level <paramref name="codeName"/> (with <paramref name="readCode"/>) and <paramref name="messageName"/>
    /// (a string) of a JSON object body, skipping every other property; both default when the body is not a JSON
    /// object. A body that stops being JSON (an HTML page of a proxy, a cut body) keeps what was read.
    /// </summary>
    public static (TCode Code, string? Message) ReadCodeAndMessage<TCode>(ReadOnlySpan<byte> body, ReadOnlySpan<byte> codeName,
        ReadOnlySpan<byte> messageName, ErrorCodeReader<TCode> readCode)
    {
        TCode code = default!;
        string? message = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (default!, null);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(codeName))
                {
                    reader.Read();
                    code = readCode(ref reader, code);
                }
                else if (reader.ValueTextEquals(messageName))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        message = reader.GetString();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON, or cut: keep what was read.
        }

        return (code, message);
    }

    /// <summary>An <see cref="ErrorCodeReader{TCode}"/> for numeric codes: a JSON number that fits an <see cref="int"/>, else the code so far.</summary>
    public static int? Int32Code(ref Utf8JsonReader reader, int? current) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code) ? code : current;

    /// <summary>The start of a body for an error message (UTF-8, line ends as spaces, at most <paramref name="max"/> characters, "…" when cut).</summary>
    public static string Snippet(ReadOnlySpan<byte> body, int max = 200)
    {
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, max * 4)]).ReplaceLineEndings(" ").Trim();
        return text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
    }

    /// <summary>How an error body without a recognised code reads in a message: <c>no body</c> or <c>body: {snippet}</c>.</summary>
    public static string DescribeBody(ReadOnlySpan<byte> body) => body.IsEmpty ? "no body" : $"body: {Snippet(body)}";
}
