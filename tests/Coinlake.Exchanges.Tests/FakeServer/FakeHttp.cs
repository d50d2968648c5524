using System.Net;
using System.Text.Json;
using Coinlake.Testing.Binance;

namespace Coinlake.Exchanges.Tests.FakeServer;

/// <summary>A received answer, read fully.</summary>
internal sealed record FakeAnswer(HttpStatusCode Status, string Body, HttpResponseMessage Message)
{
    public int UsedWeight => int.Parse(Message.Headers.GetValues(FakeBinanceServer.UsedWeightHeader).Single(), System.Globalization.CultureInfo.InvariantCulture);

    public int? RetryAfterSeconds => Message.Headers.RetryAfter?.Delta is { } delta ? (int)delta.TotalSeconds : null;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public (int Code, string Msg) Error => (Json.GetProperty("code").GetInt32(), Json.GetProperty("msg").GetString()!);

    /// <summary>Open times of a klines answer.</summary>
    public long[] OpenTimes => [.. Json.EnumerateArray().Select(r => r[0].GetInt64())];
}

internal static class FakeHttp
{
    public static HttpClient Client(FakeBinanceServer server) => new() { BaseAddress = server.BaseUrl };

    public static async Task<FakeAnswer> FetchAsync(this HttpClient client, string pathAndQuery)
    {
        var message = await client.GetAsync(new Uri(pathAndQuery, UriKind.Relative));
        return new FakeAnswer(message.StatusCode, await message.Content.ReadAsStringAsync(), message);
    }
}
