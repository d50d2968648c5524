using System.Globalization;
using System.Net;
using Coinlake.Candles;
using Coinlake.Markets;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Time;

namespace Coinlake.Exchanges.Tests.FakeServer;

public sealed class FakeBinanceKlinesTests : IAsyncLifetime
{
    private const long March1 = 1_677_628_800_000; // 2023-03-01T00:00:00Z, a Wednesday
    private const long Minute = 60_000;
    private static readonly IReadOnlyList<Candle> _btc = TestData.BinanceUsBtcUsdt1m();
    private static readonly long _lastOpen = _btc[^1].OpenTime;

    private FakeBinanceServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0 });
        _server.AddSeries("BTCUSDT", FakeMarket.Spot, _btc);
        _http = FakeHttp.Client(_server);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Klines_FirstRow_IsBinanceFormatWithFixedEightDecimalStrings()
    {
        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={March1}&limit=1");

        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.Message.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var quote = decimal.Round(2.131777m * 23142.31m, 8, MidpointRounding.AwayFromZero).ToString("F8", CultureInfo.InvariantCulture);
        answer.Body.ShouldBe(
            $"[[{March1},\"23140.48000000\",\"23150.77000000\",\"23128.52000000\",\"23142.31000000\",\"2.13177700\",{March1 + Minute - 1},\"{quote}\",0,\"0.00000000\",\"0.00000000\",\"0\"]]");
    }

    [Fact]
    public async Task Klines_ExponentVolumeInSource_RendersAsFixedDecimalString()
    {
        var time = _btc[15_014].OpenTime; // volume 9e-05 in the CSV

        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={time}&limit=1");

        answer.Json[0][5].GetString().ShouldBe("0.00009000");
    }

    [Fact]
    public async Task Klines_StartTimeOnly_ReturnsFirstLimitCandlesFromStartInclusive()
    {
        var start = March1 + (10 * Minute);

        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={start}&limit=3");

        answer.OpenTimes.ShouldBe([start, start + Minute, start + (2 * Minute)]);
    }

    [Fact]
    public async Task Klines_StartTimeOffBoundary_StartsAtNextOpenTime()
    {
        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={March1 + 1}&limit=2");

        answer.OpenTimes.ShouldBe([March1 + Minute, March1 + (2 * Minute)]);
    }

    [Fact]
    public async Task Klines_EndTimeOnly_ReturnsLastLimitCandlesUpToEndInclusive()
    {
        var end = March1 + (100 * Minute);

        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&endTime={end}&limit=3");

        answer.OpenTimes.ShouldBe([end - (2 * Minute), end - Minute, end]);
    }

    [Fact]
    public async Task Klines_NoTimes_ReturnsMostRecentCandles()
    {
        var answer = await _http.FetchAsync("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=2");

        answer.OpenTimes.ShouldBe([_lastOpen - Minute, _lastOpen]);
    }

    [Fact]
    public async Task Klines_BothTimes_AreInclusiveAndLimitCountsFromStart()
    {
        var start = March1 + (5 * Minute);

        var bounded = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={start}&endTime={start + (2 * Minute)}");
        var limited = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={start}&endTime={start + (50 * Minute)}&limit=2");

        bounded.OpenTimes.ShouldBe([start, start + Minute, start + (2 * Minute)]);
        limited.OpenTimes.ShouldBe([start, start + Minute]);
    }

    [Fact]
    public async Task Klines_StartAfterEnd_ReturnsEmptyArray()
    {
        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={March1 + Minute}&endTime={March1}");

        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.Body.ShouldBe("[]");
    }

    [Fact]
    public async Task Klines_NoLimit_Returns500()
    {
        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={March1}");

        answer.OpenTimes.Length.ShouldBe(500);
    }

    [Fact]
    public async Task Klines_SpotLimit1000_Returns1000()
    {
        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={March1}&limit=1000");

        answer.OpenTimes.Length.ShouldBe(1000);
    }

    [Theory]
    [InlineData("/api/v3/klines", 0)]
    [InlineData("/api/v3/klines", 1001)]
    [InlineData("/fapi/v1/klines", 1501)]
    [InlineData("/fapi/v1/klines", -5)]
    public async Task Klines_LimitOutOfRange_Returns400Code1130(string path, int limit)
    {
        _server.AddSeries("BTCUSDT", FakeMarket.Futures, _btc);

        var answer = await _http.FetchAsync($"{path}?symbol=BTCUSDT&interval=1m&limit={limit}");

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.Error.ShouldBe((-1130, "Data sent for parameter 'limit' is not valid."));
    }

    [Fact]
    public async Task Klines_FuturesLimit1500_Returns1500()
    {
        _server.AddSeries("BTCUSDT", FakeMarket.Futures, _btc);

        var answer = await _http.FetchAsync($"/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime={March1}&limit=1500");

        answer.OpenTimes.Length.ShouldBe(1500);
    }

    [Fact]
    public async Task Klines_UnknownSymbol_Returns400Code1121()
    {
        var answer = await _http.FetchAsync("/api/v3/klines?symbol=NOPEUSDT&interval=1m");

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.Error.ShouldBe((-1121, "Invalid symbol."));
    }

    [Fact]
    public async Task Klines_ListedSymbolWithoutData_ReturnsEmptyArray()
    {
        var answer = await _http.FetchAsync("/api/v3/klines?symbol=ETHBTC&interval=1h");

        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.Body.ShouldBe("[]");
    }

    [Fact]
    public async Task Klines_RegisteredSymbolNotInExchangeInfo_IsServed()
    {
        _server.AddSeries("UNITTESTBTC", FakeMarket.Spot, TestData.FreqtradeUnittestBtc1m());

        var answer = await _http.FetchAsync("/api/v3/klines?symbol=UNITTESTBTC&interval=1m&limit=1");

        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.OpenTimes.ShouldBe([1_510_700_340_000]);
    }

    [Fact]
    public async Task Klines_RangeOutsideData_ReturnsEmptyArray()
    {
        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={_lastOpen + Minute}");

        answer.Body.ShouldBe("[]");
    }

    [Theory]
    [InlineData("/api/v3/klines?symbol=BTCUSDT&interval=2m", -1120, "Invalid interval.")]
    [InlineData("/api/v3/klines?symbol=BTCUSDT&interval=1H", -1120, "Invalid interval.")]
    [InlineData("/fapi/v1/klines?symbol=BTCUSDT&interval=1s", -1120, "Invalid interval.")]
    [InlineData("/api/v3/klines?interval=1m", -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")]
    [InlineData("/api/v3/klines?symbol=&interval=1m", -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")]
    [InlineData("/api/v3/klines?symbol=BTCUSDT", -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.")]
    [InlineData("/fapi/v1/indexPriceKlines?symbol=BTCUSDT&interval=1m", -1102, "Mandatory parameter 'pair' was not sent, was empty/null, or malformed.")]
    [InlineData("/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=abc", -1100, "Illegal characters found in parameter 'startTime'; legal range is '^[0-9]{1,20}$'.")]
    public async Task Klines_BadParameters_Returns400WithBinanceCode(string url, int code, string message)
    {
        var answer = await _http.FetchAsync(url);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.Error.ShouldBe((code, message));
    }

    [Fact]
    public async Task Klines_SpotOneSecond_IsValidButEmpty()
    {
        var answer = await _http.FetchAsync("/api/v3/klines?symbol=BTCUSDT&interval=1s");

        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.Body.ShouldBe("[]");
    }

    [Fact]
    public async Task Klines_OneHour_AggregatesSixtyMinutes()
    {
        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime={March1}&limit=2");

        var rows = answer.Json.EnumerateArray().ToArray();
        rows.Length.ShouldBe(2);
        var hour = _btc.Take(60).ToArray();
        rows[0][0].GetInt64().ShouldBe(March1);
        Dec(rows[0][1]).ShouldBe(hour[0].Open);
        Dec(rows[0][2]).ShouldBe(hour.Max(c => c.High));
        Dec(rows[0][3]).ShouldBe(hour.Min(c => c.Low));
        Dec(rows[0][4]).ShouldBe(hour[^1].Close);
        Dec(rows[0][5]).ShouldBe(hour.Sum(c => c.Volume));
        rows[0][6].GetInt64().ShouldBe(March1 + 3_600_000 - 1);
        Dec(rows[0][7]).ShouldBe(hour.Sum(c => decimal.Round(c.Volume * c.Close, 8, MidpointRounding.AwayFromZero)));
        rows[1][0].GetInt64().ShouldBe(March1 + 3_600_000);
    }

    [Fact]
    public async Task Klines_OneWeekStartMidWeek_FirstBucketIsNextMonday()
    {
        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1w&startTime={March1}");

        var opens = answer.OpenTimes;
        opens.ShouldBe([
            new DateTimeOffset(2023, 3, 6, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(),
            new DateTimeOffset(2023, 3, 13, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(),
            new DateTimeOffset(2023, 3, 20, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(),
        ]);
        opens.ShouldAllBe(t => DateTimeOffset.FromUnixTimeMilliseconds(t).DayOfWeek == DayOfWeek.Monday);
    }

    [Fact]
    public async Task Klines_OneWeekEndTimeOnly_IncludesPartialBucketBeforeFirstMonday()
    {
        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1w&endTime={_lastOpen}");

        var rows = answer.Json.EnumerateArray().ToArray();
        rows.Length.ShouldBe(4);
        rows[0][0].GetInt64().ShouldBe(new DateTimeOffset(2023, 2, 27, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds());
        Dec(rows[0][1]).ShouldBe(_btc[0].Open);
        rows[3][6].GetInt64().ShouldBe(new DateTimeOffset(2023, 3, 27, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() - 1);
    }

    [Fact]
    public async Task Klines_OneMonth_OneBucketOnTheFirstClosingAtMonthEnd()
    {
        var answer = await _http.FetchAsync("/api/v3/klines?symbol=BTCUSDT&interval=1M");

        var rows = answer.Json.EnumerateArray().ToArray();
        rows.Length.ShouldBe(1);
        rows[0][0].GetInt64().ShouldBe(March1);
        rows[0][6].GetInt64().ShouldBe(new DateTimeOffset(2023, 4, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() - 1);
        Dec(rows[0][4]).ShouldBe(_btc[^1].Close);
        Dec(rows[0][5]).ShouldBe(_btc.Sum(c => c.Volume));
    }

    [Fact]
    public async Task Klines_HourWithoutMinutes_DoesNotExist()
    {
        _server.RemoveCandles("BTCUSDT", FakeMarket.Spot, new TimeRange(March1 + 3_600_000, March1 + 7_200_000));

        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime={March1}&limit=3");

        answer.OpenTimes.ShouldBe([March1, March1 + 7_200_000, March1 + 10_800_000]);
    }

    [Fact]
    public async Task Klines_FifteenMinutesEndTimeMidBucket_IncludesThatBucket()
    {
        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=15m&endTime={March1 + (20 * Minute)}");

        answer.OpenTimes.ShouldBe([March1, March1 + (15 * Minute)]);
    }

    [Fact]
    public async Task Klines_FuturesSeriesAndMarkAndIndex_ServedFromTheirOwnEndpoints()
    {
        var mark = _btc.Take(3).Select(c => c with { Open = c.Open + 1, High = c.High + 1, Low = c.Low + 1, Close = c.Close + 1, Volume = 0 }).ToArray();
        var index = _btc.Take(3).Select(c => c with { Open = c.Open + 2, High = c.High + 2, Low = c.Low + 2, Close = c.Close + 2, Volume = 0 }).ToArray();
        _server.AddSeries("BTCUSDT", FakeMarket.Futures, _btc.Take(3).ToArray());
        _server.AddSeries("BTCUSDT", FakeMarket.Futures, mark, PriceType.Mark);
        _server.AddSeries("BTCUSDT", FakeMarket.Futures, index, PriceType.Index);

        var last = await _http.FetchAsync($"/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime={March1}");
        var markAnswer = await _http.FetchAsync($"/fapi/v1/markPriceKlines?symbol=BTCUSDT&interval=1m&startTime={March1}");
        var indexAnswer = await _http.FetchAsync($"/fapi/v1/indexPriceKlines?pair=BTCUSDT&interval=1m&startTime={March1}");

        last.Json[0][1].GetString().ShouldBe("23140.48000000");
        markAnswer.Json[0][1].GetString().ShouldBe("23141.48000000");
        indexAnswer.Json[0][1].GetString().ShouldBe("23142.48000000");
        markAnswer.Body.ShouldStartWith($"[[{March1},\"23141.48000000\",\"23151.77000000\",\"23129.52000000\",\"23143.31000000\",\"0\",{March1 + Minute - 1},\"0\",0,\"0\",\"0\",\"0\"]");
        indexAnswer.OpenTimes.Length.ShouldBe(3);
    }

    [Fact]
    public async Task Klines_SpotSymbolNotRegisteredForFutures_FuturesHasNoData()
    {
        var answer = await _http.FetchAsync($"/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime={March1}");

        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.Body.ShouldBe("[]");
    }

    [Fact]
    public async Task AddSeries_ReplacesByOpenTimeAndAcceptsAnyOrder()
    {
        var first = _btc[0];
        _server.AddSeries("BTCUSDT", FakeMarket.Spot, [_btc[1] with { Close = 1m }, first with { Open = 2m }]);

        var answer = await _http.FetchAsync($"/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={March1}&limit=3");

        answer.Json[0][1].GetString().ShouldBe("2.00000000");
        answer.Json[1][4].GetString().ShouldBe("1.00000000");
        answer.Json[2][1].GetString().ShouldBe(_btc[2].Open.ToString("F8", CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AddSeries_GivenQuoteVolumeAndTrades_AreServedAsGiven()
    {
        _server.AddSeries("ETHBTC", FakeMarket.Spot, [new Candle(March1, 0.1m, 0.2m, 0.05m, 0.15m, 10m, 1.23456789m, 42)]);

        var answer = await _http.FetchAsync("/api/v3/klines?symbol=ETHBTC&interval=1m");

        answer.Json[0][7].GetString().ShouldBe("1.23456789");
        answer.Json[0][8].GetInt64().ShouldBe(42);
    }

    [Fact]
    public async Task AddSeries_MoreThanEightDecimals_RoundedHalfAwayFromZero()
    {
        _server.AddSeries("XRPUSDT", FakeMarket.Futures, [new Candle(March1, 1m, 1m, 1m, 1m, 2697616.070908000250m, 0m)]);

        var answer = await _http.FetchAsync("/fapi/v1/klines?symbol=XRPUSDT&interval=1m");

        answer.Json[0][5].GetString().ShouldBe("2697616.07090800");
    }

    [Fact]
    public void AddSeries_OpenTimeOffMinute_ThrowsArgumentException()
    {
        var ex = Should.Throw<ArgumentException>(() => _server.AddSeries("BTCUSDT", FakeMarket.Spot, [_btc[0] with { OpenTime = March1 + 1 }]));
        ex.Message.ShouldContain("minute boundary");
    }

    [Fact]
    public void AddSeries_SpotMarkPrice_ThrowsArgumentException()
    {
        Should.Throw<ArgumentException>(() => _server.AddSeries("BTCUSDT", FakeMarket.Spot, _btc, PriceType.Mark));
    }

    [Fact]
    public async Task Klines_YearOfSynthesizedData_PagesThroughWithoutGapsOrDuplicates()
    {
        var year = FakeData.ContiguousOneMinute(20_000);
        _server.AddSeries("SYNTHUSDT", FakeMarket.Spot, year);
        var seen = new List<long>();
        var start = year[0].OpenTime;
        while (true)
        {
            var page = (await _http.FetchAsync($"/api/v3/klines?symbol=SYNTHUSDT&interval=1m&startTime={start}&limit=1000")).OpenTimes;
            if (page.Length == 0)
            {
                break;
            }

            seen.AddRange(page);
            start = page[^1] + Minute;
        }

        seen.ShouldBe(year.Select(c => c.OpenTime));
    }

    private static decimal Dec(System.Text.Json.JsonElement e) => decimal.Parse(e.GetString()!, CultureInfo.InvariantCulture);
}
