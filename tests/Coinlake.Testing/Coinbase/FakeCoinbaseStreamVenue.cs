using System.Globalization;
using System.Text.Json;
using Coinlake.Testing.Hosting;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Testing.Coinbase;

/// <summary>
/// The Coinbase Exchange WebSocket feed dialect for a <see cref="FakeStreamHub"/> ("Exchange WebSocket Channels"):
/// <c>{"type":"subscribe","channels":[{"name","product_ids"}]}</c> (or top-level <c>product_ids</c> with channel names)
/// answered with a <c>subscriptions</c> frame, or — when the hub refuses grouped subscriptions and several products are
/// asked for — with <c>{"type":"error","message":"Failed to subscribe",...}</c>. Every product plays the real candles of
/// <see cref="Timeline"/>: per step one <c>match</c> (trade id = step + 1, at the candle's close, maker side alternating
/// sell/buy), one <c>ticker</c> (last = close, bid/ask one cent around it) and a <c>heartbeat</c>.
/// </summary>
/// <param name="timeline">The candles played.</param>
public sealed class FakeCoinbaseStreamVenue(FakeCandleTimeline timeline) : IFakeStreamVenue
{
    /// <summary>The candles played, one timeline step per update.</summary>
    public FakeCandleTimeline Timeline { get; } = timeline;

    /// <summary>The size of the match played at <paramref name="step"/> (base currency).</summary>
    public static decimal MatchSize(int step) => 0.01m * (step + 1);

    /// <summary>The maker side of the match played at <paramref name="step"/>: <c>sell</c> on even steps (the taker bought).</summary>
    public static string MakerSideAt(int step) => step % 2 == 0 ? "sell" : "buy";

    /// <inheritdoc />
    public IEnumerable<string> OnConnected(FakeStreamSession session) => [];

    /// <inheritdoc />
    public IReadOnlyList<string> TopicsFromUrl(HttpRequest request) => [];

    /// <inheritdoc />
    public IEnumerable<string> OnMessage(FakeStreamSession session, string message)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        if (root.GetProperty("type").GetString() != "subscribe")
        {
            return ["""{"type":"error","message":"Failed to subscribe","reason":"type must be subscribe or unsubscribe"}"""];
        }

        var wanted = new List<(string Channel, string Product)>();
        var common = root.TryGetProperty("product_ids", out var ids) ? ids.EnumerateArray().Select(p => p.GetString()!).ToList() : [];
        foreach (var channel in root.GetProperty("channels").EnumerateArray())
        {
            if (channel.ValueKind == JsonValueKind.String)
            {
                wanted.AddRange(common.Select(p => (channel.GetString()!, p)));
            }
            else
            {
                var name = channel.GetProperty("name").GetString()!;
                wanted.AddRange(channel.GetProperty("product_ids").EnumerateArray().Select(p => (name, p.GetString()!)));
            }
        }

        var products = wanted.Select(w => w.Product).Distinct(StringComparer.Ordinal).ToList();
        if (session.Hub.RefuseGroupedSubscriptions && products.Count > 1)
        {
            session.Hub.CountRefusal();
            return ["""{"type":"error","message":"Failed to subscribe","reason":"too many products in one request"}"""];
        }

        foreach (var (channel, product) in wanted)
        {
            session.Topics[$"{channel}|{product}"] = true;
        }

        var channels = string.Join(",", wanted.GroupBy(w => w.Channel).Select(g =>
            $$"""{"name":"{{g.Key}}","product_ids":[{{string.Join(",", g.Select(w => $"\"{w.Product}\""))}}]}"""));
        return [$$"""{"type":"subscriptions","channels":[{{channels}}]}"""];
    }

    /// <inheritdoc />
    public IEnumerable<string> FramesAt(string topic, int step)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (Timeline.At(step) is not var (candle, _))
        {
            yield break;
        }

        var parts = topic.Split('|');
        var (channel, product) = (parts[0], parts[1]);
        var ci = CultureInfo.InvariantCulture;
        var time = Iso(candle.OpenTime + (step % Timeline.UpdatesPerCandle * 1000));
        switch (channel)
        {
            case "matches":
                yield return string.Create(ci,
                    $$"""{"type":"match","trade_id":{{step + 1}},"maker_order_id":"m{{step}}","taker_order_id":"t{{step}}","side":"{{MakerSideAt(step)}}","size":"{{MatchSize(step)}}","price":"{{candle.Close}}","product_id":"{{product}}","sequence":{{step + 100}},"time":"{{time}}"}""");
                break;
            case "ticker":
                yield return string.Create(ci,
                    $$"""{"type":"ticker","sequence":{{step + 100}},"product_id":"{{product}}","price":"{{candle.Close}}","open_24h":"{{candle.Open}}","volume_24h":"{{candle.Volume}}","low_24h":"{{candle.Low}}","high_24h":"{{candle.High}}","volume_30d":"{{candle.Volume}}","best_bid":"{{candle.Close - 0.01m}}","best_ask":"{{candle.Close + 0.01m}}","side":"buy","time":"{{time}}","trade_id":{{step + 1}},"last_size":"{{MatchSize(step)}}"}""");
                break;
            case "heartbeat":
                yield return string.Create(ci, $$"""{"type":"heartbeat","last_trade_id":{{step + 1}},"product_id":"{{product}}","sequence":{{step + 100}},"time":"{{time}}"}""");
                break;
        }
    }

    private static string Iso(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
