using Coinlake.Markets;

namespace Coinlake.Core.Tests.Markets;

public sealed class MarketNamesTests
{
    [Theory]
    [InlineData(MarketType.Spot, "spot")]
    [InlineData(MarketType.Swap, "swap")]
    [InlineData(MarketType.Future, "future")]
    public void ToName_MarketType_IsLowerCaseNameThatParsesBack(MarketType type, string name)
    {
        type.ToName().ShouldBe(name);
        MarketNames.TryParseMarketType(name, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(type);
    }

    [Theory]
    [InlineData(PriceType.Last, "last")]
    [InlineData(PriceType.Mark, "mark")]
    [InlineData(PriceType.Index, "index")]
    public void ToName_PriceType_IsLowerCaseNameThatParsesBack(PriceType type, string name)
    {
        type.ToName().ShouldBe(name);
        MarketNames.TryParsePriceType(name, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(type);
    }

    [Theory]
    [InlineData(MarketSubtype.None, "")]
    [InlineData(MarketSubtype.Linear, "linear")]
    [InlineData(MarketSubtype.Inverse, "inverse")]
    public void ToName_Subtype_IsLowerCaseNameThatParsesBack(MarketSubtype type, string name)
    {
        type.ToName().ShouldBe(name);
        MarketNames.TryParseSubtype(name, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(type);
    }

    [Theory]
    [InlineData(" SPOT ", MarketType.Spot)]
    [InlineData("perp", MarketType.Swap)]
    [InlineData("Perpetual", MarketType.Swap)]
    [InlineData("futures", MarketType.Future)]
    [InlineData("delivery", MarketType.Future)]
    public void TryParseMarketType_AliasesAnyCase_AreAccepted(string text, MarketType expected)
    {
        MarketNames.TryParseMarketType(text, out var type).ShouldBeTrue();
        type.ShouldBe(expected);
    }

    [Theory]
    [InlineData("trade", PriceType.Last)]
    [InlineData("TRADES", PriceType.Last)]
    [InlineData(" Mark", PriceType.Mark)]
    public void TryParsePriceType_AliasesAnyCase_AreAccepted(string text, PriceType expected)
    {
        MarketNames.TryParsePriceType(text, out var type).ShouldBeTrue();
        type.ShouldBe(expected);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("none")]
    [InlineData("  ")]
    public void TryParseSubtype_NullEmptyOrNone_IsNone(string? text)
    {
        MarketNames.TryParseSubtype(text, out var type).ShouldBeTrue();
        type.ShouldBe(MarketSubtype.None);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("option")]
    [InlineData("margin")]
    public void TryParseMarketType_Unknown_ReturnsFalse(string? text)
    {
        MarketNames.TryParseMarketType(text, out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("close")]
    public void TryParsePriceType_Unknown_ReturnsFalse(string? text)
    {
        MarketNames.TryParsePriceType(text, out _).ShouldBeFalse();
    }

    [Fact]
    public void TryParseSubtype_Unknown_ReturnsFalse()
    {
        MarketNames.TryParseSubtype("quanto", out _).ShouldBeFalse();
    }

    [Fact]
    public void ToName_UndefinedEnumValue_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => ((MarketType)42).ToName());
        Should.Throw<ArgumentOutOfRangeException>(() => ((PriceType)42).ToName());
        Should.Throw<ArgumentOutOfRangeException>(() => ((MarketSubtype)42).ToName());
    }
}
