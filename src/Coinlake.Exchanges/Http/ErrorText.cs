using System.Text;

namespace Coinlake.Exchanges.Http;

/// <summary>Text of error bodies for exception messages.</summary>
internal static class ErrorText
{
    /// <summary>The start of a body for an error message (UTF-8, line ends as spaces, at most <paramref name="max"/> characters, "…" when cut).</summary>
    public static string Snippet(ReadOnlySpan<byte> body, int max = 200)
    {
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, max * 4)]).ReplaceLineEndings(" ").Trim();
        return text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
    }

    /// <summary>How an error body without a recognised code reads in a message: <c>no body</c> or <c>body: {snippet}</c>.</summary>
    public static string DescribeBody(ReadOnlySpan<byte> body) => body.IsEmpty ? "no body" : $"body: {Snippet(body)}";
}
