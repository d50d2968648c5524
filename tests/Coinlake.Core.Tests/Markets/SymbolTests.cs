using Coinlake.Markets;

namespace Coinlake.Core.Tests.Markets;

public sealed class SymbolTests
{
    [Theory]
    [InlineData("BTC/USDT", "BTC", "USDT", null, null)]
    [InlineData("BTC/USDT:USDT", "BTC", "USDT", "USDT", null)]
    [InlineData("BTC/USD:BTC", "BTC", "USD", "BTC", null)]
    [InlineData("BTC/USDT:USDT-240329", "BTC", "USDT", "USDT", "240329")]
    [InlineData("ETH/USD:ETH-231229", "ETH", "USD", "ETH", "231229")]
    [InlineData("1000PEPE/USDT:USDT", "1000PEPE", "USDT", "USDT", null)]
    [InlineData("BTC.B/USDC", "BTC.B", "USDC", null, null)]
    [InlineData("USD_C/EUR", "USD_C", "EUR", null, null)]
    public void Parse_ValidSymbol_ReadsEveryPart(string text, string baseCode, string quote, string? settle, string? expiry)
    {
        var symbol = Symbol.Parse(text);

        symbol.ShouldBe(new Symbol(baseCode, quote, settle, expiry));
    }

    [Theory]
    [InlineData("BTC/USDT")]
    [InlineData("BTC/USDT:USDT")]
    [InlineData("BTC/USD:BTC")]
    [InlineData("BTC/USDT:USDT-240329")]
    [InlineData("BTC/USD:BTC-240628")]
    public void ToString_ParsedSymbol_RoundTripsExactly(string text)
    {
        var symbol = Symbol.Parse(text);

        symbol.ToString().ShouldBe(text);
        Symbol.Parse(symbol.ToString()).ShouldBe(symbol);
    }

    [Theory]
    [InlineData("btc/usdt", "BTC/USDT")]
    [InlineData("  eth/usdt:usdt  ", "ETH/USDT:USDT")]
    [InlineData("Btc/Usd:btc-240329", "BTC/USD:BTC-240329")]
    public void Parse_LowerCaseOrPadded_NormalizesToUpperCaseCodes(string text, string expected)
    {
        Symbol.Parse(text).ToString().ShouldBe(expected);
    }

    [Fact]
    public void Equality_SameCodesDifferentCase_AreEqualRecords()
    {
        Symbol.Parse("btc/usdt:usdt").ShouldBe(Symbol.Parse("BTC/USDT:USDT"));
        Symbol.Parse("BTC/USDT").ShouldNotBe(Symbol.Parse("BTC/USDT:USDT"));
    }

    [Theory]
    [InlineData("BTC/USDT", MarketType.Spot, MarketSubtype.None, false)]
    [InlineData("BTC/USDT:USDT", MarketType.Swap, MarketSubtype.Linear, true)]
    [InlineData("BTC/USD:BTC", MarketType.Swap, MarketSubtype.Inverse, true)]
    [InlineData("BTC/USDT:USDT-240329", MarketType.Future, MarketSubtype.Linear, true)]
    [InlineData("BTC/USD:BTC-240329", MarketType.Future, MarketSubtype.Inverse, true)]
    [InlineData("ETH/BTC:ETH", MarketType.Swap, MarketSubtype.Inverse, true)]
    public void ImpliedMarket_BySyntax_IsTypeAndSubtype(string text, MarketType type, MarketSubtype subtype, bool derivative)
    {
        var symbol = Symbol.Parse(text);

        symbol.ImpliedMarketType.ShouldBe(type);
        symbol.ImpliedSubtype.ShouldBe(subtype);
        symbol.IsDerivative.ShouldBe(derivative);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("BTCUSDT")]
    [InlineData("/USDT")]
    [InlineData("BTC/")]
    [InlineData("BTC/USDT:")]
    [InlineData("BTC/USDT:-240329")]
    [InlineData("BTC/USDT:USDT-")]
    [InlineData("BTC/USDT:USDT-2403")]
    [InlineData("BTC/USDT:USDT-2403290")]
    [InlineData("BTC/USDT:USDT-24O329")]
    [InlineData("BTC/USDT-240329")]
    [InlineData("BTC/USDT/ETH")]
    [InlineData("BTC/USDT:USDT:USDT")]
    [InlineData("BTC /USDT")]
    [InlineData("BTC-USDT-SWAP")]
    [InlineData("BTC/US$")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456/USDT")]
    public void TryParse_Invalid_ReturnsFalseAndNull(string text)
    {
        Symbol.TryParse(text, out var symbol).ShouldBeFalse();
        symbol.ShouldBeNull();
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Symbol.TryParse(null, out var symbol).ShouldBeFalse();
        symbol.ShouldBeNull();
    }

    [Fact]
    public void TryParse_CodeOf32Characters_IsAccepted()
    {
        var code = new string('A', 32);

        Symbol.TryParse($"{code}/USDT", out var symbol).ShouldBeTrue();
        symbol!.Base.ShouldBe(code);
    }

    [Theory]
    [InlineData("BTCUSDT")]
    [InlineData("BTC/USDT:USDT-24")]
    public void Parse_Invalid_ThrowsFormatExceptionNamingInputAndForms(string text)
    {
        var ex = Should.Throw<FormatException>(() => Symbol.Parse(text));

        ex.Message.ShouldContain($"'{text}'");
        ex.Message.ShouldContain("BASE/QUOTE (BTC/USDT)");
        ex.Message.ShouldContain("BASE/QUOTE:SETTLE (BTC/USDT:USDT)");
        ex.Message.ShouldContain("BTC/USD:BTC");
    }
}
