using System.Text;
using Coinlake.Exchanges.Binance;

namespace Coinlake.Exchanges.Tests.Binance;

public sealed class BinanceErrorsTests
{
    [Theory]
    [InlineData(429, -1003, true)]
    [InlineData(418, -1003, true)]
    [InlineData(500, -1000, true)]
    [InlineData(502, null, true)]
    [InlineData(503, -1008, true)]
    [InlineData(504, -1007, true)]
    [InlineData(408, null, true)]
    [InlineData(400, -1008, true)] // SERVER_BUSY whatever the status
    [InlineData(400, -1121, false)] // Invalid symbol
    [InlineData(400, -1120, false)] // Invalid interval
    [InlineData(400, -1130, false)] // Invalid parameter
    [InlineData(400, -1100, false)] // Illegal characters
    [InlineData(403, null, false)] // WAF block
    [InlineData(404, null, false)]
    public void IsTransient_StatusAndCode_ClassifiesAsDocumented(int status, int? code, bool transient) =>
        BinanceErrors.IsTransient(status, code).ShouldBe(transient);

    [Fact]
    public void ParseBody_BinanceError_ReadsCodeAndMessage() =>
        BinanceErrors.ParseBody("""{"code":-1121,"msg":"Invalid symbol."}"""u8).ShouldBe((-1121, "Invalid symbol."));

    [Theory]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("")]
    [InlineData("[1,2]")]
    [InlineData("{\"code\":")]
    public void ParseBody_NotABinanceError_ReturnsNulls(string body) =>
        BinanceErrors.ParseBody(Encoding.UTF8.GetBytes(body)).ShouldBe((null, null));
}
