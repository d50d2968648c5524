using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Coinlake.Testing;
using Coinlake.Testing.Binance;
using Coinlake.Testing.Postgres;

namespace Coinlake.Server.Tests;

/// <summary>A server whose candle store is PostgreSQL: ingest without a sink writes there and the API reads it back.</summary>
public sealed class PostgresCandleStoreTests
{
    [PostgresFact]
    public async Task Ingest_PostgresCandleStore_CandlesReadBackFromPostgres()
    {
        await using var binance = await FakeBinanceServer.StartAsync(new FakeBinanceOptions { WeightLimit = 0 });
        binance.AddSeries("BTCUSDT", FakeMarket.Spot, TestData.BinanceUsBtcUsdt1m());
        var connection = await TestPostgres.CreateDatabaseAsync(nameof(PostgresCandleStoreTests));
        await using var server = await ServerHarness.StartAsync(o =>
        {
            o.CandleStore = CandleStoreKind.Postgres;
            o.CandleConnectionString = connection;
        });

        var id = await server.IngestAsync($$"""{"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1m", "start": "2023-03-01", "end": "2023-03-02", "base_url": "{{binance.BaseUrl}}"}""");
        var job = await server.WaitForStateAsync(id, "succeeded", "failed");
        var page = await server.Client.GetFromJsonAsync<JsonElement>("/api/candles?exchange=binance&symbol=BTC/USDT&timeframe=1m&limit=2000");
        var coverage = await server.Client.GetFromJsonAsync<JsonElement>("/api/coverage");

        job.GetProperty("state").GetString().ShouldBe("succeeded", job.ToString());
        File.Exists(server.Options.DatabasePath).ShouldBeFalse("nothing goes to SQLite");
        var start = DateTimeOffset.Parse("2023-03-01T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var expected = TestData.BinanceUsBtcUsdt1m().Where(c => c.OpenTime >= start && c.OpenTime < start + 86_400_000).ToList();
        var candles = page.GetProperty("candles").EnumerateArray().ToList();
        candles.Select(c => (c.GetProperty("open_time").GetInt64(), c.GetProperty("close").GetDecimal(), c.GetProperty("volume").GetDecimal()))
            .ShouldBe(expected.Select(c => (c.OpenTime, c.Close, c.Volume)));
        coverage.GetProperty("series").EnumerateArray().Single().GetProperty("rows").GetInt64().ShouldBe(1440);
    }
}
