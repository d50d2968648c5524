namespace Coinlake.Exchanges;

/// <summary>
/// An exchange answered with an error, or could not be reached. Carries the exchange's own code and message and
/// says whether retrying may help (<see cref="IsTransient"/>: 429/418 rate limits, 5xx, timeouts, resets).
/// </summary>
public class ExchangeException : Exception
{
    /// <summary>Creates an exchange error.</summary>
    /// <param name="exchange">Exchange id, e.g. <c>binance</c>.</param>
    /// <param name="message">Human-readable description that says what failed and where.</param>
    /// <param name="code">The exchange's error code (e.g. Binance <c>-1121</c>), if any.</param>
    /// <param name="exchangeMessage">The exchange's error message, if any.</param>
    /// <param name="httpStatus">The HTTP status, if an HTTP answer was received.</param>
    /// <param name="url">The request URL.</param>
    /// <param name="isTransient">True when retrying later may succeed.</param>
    /// <param name="inner">The underlying exception.</param>
    public ExchangeException(string exchange, string message, string? code = null, string? exchangeMessage = null,
        int? httpStatus = null, Uri? url = null, bool isTransient = false, Exception? inner = null)
        : base(message, inner)
    {
        Exchange = exchange;
        Code = code;
        ExchangeMessage = exchangeMessage;
        HttpStatus = httpStatus;
        Url = url;
        IsTransient = isTransient;
    }

    /// <summary>Exchange id.</summary>
    public string Exchange { get; }

    /// <summary>The exchange's error code, e.g. <c>-1121</c>.</summary>
    public string? Code { get; }

    /// <summary>The exchange's error message, e.g. <c>Invalid symbol.</c>.</summary>
    public string? ExchangeMessage { get; }

    /// <summary>HTTP status code of the answer, when there was one.</summary>
    public int? HttpStatus { get; }

    /// <summary>The URL requested.</summary>
    public Uri? Url { get; }

    /// <summary>True when a later retry may succeed.</summary>
    public bool IsTransient { get; }
}

/// <summary>The exchange rate-limited the client (HTTP 429) or banned its IP for a while (HTTP 418).</summary>
public sealed class RateLimitedException(string exchange, string message, TimeSpan? retryAfter, int httpStatus, Uri? url, string? code = null, string? exchangeMessage = null)
    : ExchangeException(exchange, message, code, exchangeMessage, httpStatus, url, isTransient: true)
{
    /// <summary>How long the exchange asked to wait (<c>Retry-After</c>), if it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>A unified symbol the exchange does not list for the requested market type.</summary>
public sealed class UnknownSymbolException(string exchange, string symbol, IReadOnlyList<string> suggestions)
    : ExchangeException(exchange,
        $"{exchange} has no market '{symbol}'." + (suggestions.Count > 0 ? $" Closest: {string.Join(", ", suggestions)}." : ""),
        isTransient: false)
{
    /// <summary>The symbol asked for.</summary>
    public string Symbol { get; } = symbol;

    /// <summary>The closest valid unified symbols, nearest first.</summary>
    public IReadOnlyList<string> Suggestions { get; } = suggestions;
}

/// <summary>The exchange answered with a body Coinlake could not parse (truncated, malformed, unexpected shape).</summary>
public sealed class MalformedResponseException(string exchange, Uri url, string detail, Exception? inner = null)
    : ExchangeException(exchange, $"{exchange} sent a malformed answer to {url}: {detail}", url: url, isTransient: false, inner: inner);
