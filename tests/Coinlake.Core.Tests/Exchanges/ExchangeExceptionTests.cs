using Coinlake.Exchanges;

namespace Coinlake.Core.Tests.Exchanges;

public sealed class ExchangeExceptionTests
{
    private static readonly Uri _url = new("https://api.binance.com/api/v3/klines?symbol=BTCUSDX");

    [Fact]
    public void Constructor_AllDetails_AreKept()
    {
        var inner = new TimeoutException();
        var ex = new ExchangeException("binance", "klines failed", "-1121", "Invalid symbol.", 400, _url, isTransient: false, inner);

        ex.Exchange.ShouldBe("binance");
        ex.Message.ShouldBe("klines failed");
        ex.Code.ShouldBe("-1121");
        ex.ExchangeMessage.ShouldBe("Invalid symbol.");
        ex.HttpStatus.ShouldBe(400);
        ex.Url.ShouldBe(_url);
        ex.IsTransient.ShouldBeFalse();
        ex.InnerException.ShouldBeSameAs(inner);
    }

    [Fact]
    public void RateLimited_Always_IsTransientWithRetryAfter()
    {
        var ex = new RateLimitedException("binance", "too many requests", TimeSpan.FromSeconds(30), 429, _url, "-1003", "Too many requests.");

        ex.IsTransient.ShouldBeTrue();
        ex.RetryAfter.ShouldBe(TimeSpan.FromSeconds(30));
        ex.HttpStatus.ShouldBe(429);
        ex.Code.ShouldBe("-1003");
        ex.ShouldBeAssignableTo<ExchangeException>();
    }

    [Fact]
    public void UnknownSymbol_WithSuggestions_NamesThemInMessage()
    {
        var ex = new UnknownSymbolException("binance", "BTC/USDX", ["BTC/USDT", "BTC/USDC"]);

        ex.Message.ShouldBe("binance has no market 'BTC/USDX'. Closest: BTC/USDT, BTC/USDC.");
        ex.Symbol.ShouldBe("BTC/USDX");
        ex.Suggestions.ShouldBe(["BTC/USDT", "BTC/USDC"]);
        ex.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public void UnknownSymbol_WithoutSuggestions_HasNoClosestClause()
    {
        new UnknownSymbolException("okx", "FOO/BAR", []).Message.ShouldBe("okx has no market 'FOO/BAR'.");
    }

    [Fact]
    public void MalformedResponse_Always_NamesExchangeUrlAndDetailAndIsPermanent()
    {
        var ex = new MalformedResponseException("binance", _url, "expected an array at offset 0");

        ex.Message.ShouldBe($"binance sent a malformed answer to {_url}: expected an array at offset 0");
        ex.Url.ShouldBe(_url);
        ex.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public void RequestStats_Counters_CountEachEvent()
    {
        var stats = new RequestStats();

        stats.OnRequest();
        stats.OnRequest();
        stats.OnRetry();
        stats.OnRateLimited();

        (stats.Requests, stats.Retries, stats.RateLimited).ShouldBe((2L, 1L, 1L));
    }

    [Fact]
    public void RequestStats_ConcurrentRequests_LoseNoCount()
    {
        var stats = new RequestStats();

        Parallel.For(0, 10_000, _ => stats.OnRequest());

        stats.Requests.ShouldBe(10_000);
    }
}
