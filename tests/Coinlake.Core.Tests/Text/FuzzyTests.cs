using Coinlake.Text;
using FsCheck.Xunit;

namespace Coinlake.Core.Tests.Text;

public sealed class FuzzyTests
{
    private static readonly string[] _symbols = ["BTC/USDT", "ETH/USDT", "BTC/USDC", "BTC/USDT:USDT", "DOGE/EUR", "XRP/BTC"];

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("BTC/USDT", "BTC/USDT", 0)]
    [InlineData("BTC/USDT", "BTCUSDT", 1)]
    [InlineData("BTC/USDT", "BTC/USDC", 1)]
    [InlineData("BTC/USDT", "ETH/USDT", 2)]
    [InlineData("a", "A", 1)] // ordinal: case matters in Distance
    [InlineData("abc", "cba", 2)]
    [InlineData("BTC/USTD", "BTC/USDT", 1)] // a swap of adjacent characters is one edit
    [InlineData("CA", "ABC", 3)] // optimal string alignment: no edit of a swapped pair
    public void Distance_KnownPairs_IsOptimalStringAlignment(string a, string b, int expected)
    {
        Fuzzy.Distance(a, b).ShouldBe(expected);
        Fuzzy.Distance(b, a).ShouldBe(expected);
    }

    [Property(MaxTest = 200)]
    public bool Distance_AnyStrings_IsSymmetricAndBoundedByLengths(string? a, string? b, string? c)
    {
        (a, b, c) = (a ?? "", b ?? "", c ?? "");
        var ab = Fuzzy.Distance(a, b);
        return Fuzzy.Distance(a, a) == 0
            && ab == Fuzzy.Distance(b, a)
            && ab >= Math.Abs(a.Length - b.Length)
            && ab <= Math.Max(a.Length, b.Length)
            && (ab == 0) == string.Equals(a, b, StringComparison.Ordinal)
            && Fuzzy.Distance(a, c) <= Math.Max(a.Length, c.Length);
    }

    [Fact]
    public void Closest_Typo_IsFirstSuggestion()
    {
        Fuzzy.Closest("BTC/USTT", _symbols)[0].ShouldBe("BTC/USDT");
    }

    [Fact]
    public void Closest_SwappedLetters_SuggestsTheIntendedSymbolFirst()
    {
        Fuzzy.Closest("BTC/USTD", _symbols)[0].ShouldBe("BTC/USDT");
    }

    [Fact]
    public void Closest_LowerCaseInput_MatchesCaseInsensitivelyAndKeepsCandidateCase()
    {
        Fuzzy.Closest("btc/usdt", _symbols, 1).ShouldBe(["BTC/USDT"]);
    }

    [Fact]
    public void Closest_EqualDistances_AreOrderedByDistanceThenOrdinally()
    {
        // BTC/USDC and BTC/USDT are both 1 edit from BTC/USDX; ETH/USDT is 3 edits.
        Fuzzy.Closest("BTC/USDX", _symbols).ShouldBe(["BTC/USDC", "BTC/USDT", "ETH/USDT"]);
    }

    [Fact]
    public void Closest_Count_LimitsSuggestions()
    {
        Fuzzy.Closest("BTC/USDX", _symbols, 2).Count.ShouldBe(2);
        Fuzzy.Closest("BTC/USDX", _symbols, 0).ShouldBeEmpty();
    }

    [Fact]
    public void Closest_FarCandidates_AreDroppedWhenNearOnesExist()
    {
        // Limit for an 8-character input is max(3, 8 / 2) = 4 edits: only BTC/USDT (1) and ETH/USDT (3) are near.
        Fuzzy.Closest("BTC/USDT", ["ETH/USDT", "BTC/USDT", "DOGE/EUR", "SOL/JPY"], 5).ShouldBe(["BTC/USDT", "ETH/USDT"]);
    }

    [Fact]
    public void Closest_OnlyFarCandidates_ReturnsTheClosestAnyway()
    {
        // Every candidate is more than 4 edits away: the nearest are still given, BTC-EURO (5) then DOGE/EUR (8).
        Fuzzy.Closest("BTC/USDT", ["X", "DOGE/EUR", "BTC-EURO"], 2).ShouldBe(["BTC-EURO", "DOGE/EUR"]);
    }

    [Fact]
    public void Closest_ShortInput_AllowsAtLeastThreeEdits()
    {
        Fuzzy.Closest("1H", ["1h", "4h", "12h", "1d", "1w", "1M"], 6).ShouldBe(["1h", "12h", "1M", "1d", "1w", "4h"]);
    }

    [Fact]
    public void Closest_DuplicateCandidates_AppearOnce()
    {
        Fuzzy.Closest("BTC/USDT", ["BTC/USDT", "BTC/USDT", "ETH/USDT"]).ShouldBe(["BTC/USDT", "ETH/USDT"]);
    }

    [Fact]
    public void Closest_NoCandidates_IsEmpty()
    {
        Fuzzy.Closest("BTC/USDT", []).ShouldBeEmpty();
    }
}
