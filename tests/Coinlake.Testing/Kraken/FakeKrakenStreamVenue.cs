using System.Globalization;
using System.Text.Json;
using Coinlake.Testing.Hosting;
using Microsoft.AspNetCore.Http;

namespace Coinlake.Testing.Kraken;

/// <summary>
/// Kraken's spot WebSocket API v2 dialect for a <see cref="FakeStreamHub"/> ("Spot WebSocket API v2"): a <c>status</c>
/// frame on connect; <c>{"method":"subscribe","params":{"channel","symbol":[...],"interval"}}</c> answered with one ack per
/// symbol (or, when the hub refuses grouped subscriptions and several symbols are asked for, one <c>"success":false</c>
/// ack naming Kraken's message rate error); <c>{"method":"ping"}</c> answered with a <c>pong</c>. Every symbol plays the
/// same real candles of <see cref="Timeline"/>: <c>ohlc</c> updates of the candle in progress (numbers as JSON numbers,
/// <c>interval_begin</c> in RFC 3339), one <c>trade</c> per step (id = step + 1, at the candle's close, taker side
/// alternating) and a <c>ticker</c> per step (last = close, bid/ask one tick around it).
/// </summary>
/// <param name="timeline">The candles played.</param>
public sealed class FakeKrakenStreamVenue(FakeCandleTimeline timeline) : IFakeStreamVenue
{
    /// <summary>The candles played, one timeline step per update.</summary>
    public FakeCandleTimeline Timeline { get; } = timeline;

    /// <summary>Pings received.</summary>
    public int Pings => Volatile.Read(ref _pings);

    private int _pings;

    /// <summary>The trade id of the trade played at <paramref name="step"/>.</summary>
    public static long TradeIdAt(int step) => step + 1;

    /// <inheritdoc />
    public IEnumerable<string> OnConnected(FakeStreamSession session) =>
        ["""{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":1,"system":"online","version":"2.0.0"}]}"""];

    /// <inheritdoc />
    public IReadOnlyList<string> TopicsFromUrl(HttpRequest request) => [];

    /// <inheritdoc />
    public IEnumerable<string> OnMessage(FakeStreamSession session, string message)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        var method = root.GetProperty("method").GetString();
        if (method == "ping")
        {
            Interlocked.Increment(ref _pings);
            return ["""{"method":"pong","time_in":"2023-09-24T14:10:23.799685Z","time_out":"2023-09-24T14:10:23.799703Z"}"""];
        }

        if (method != "subscribe")
        {
            return [$$"""{"error":"Method not supported","method":"{{method}}","success":false}"""];
        }

        var parameters = root.GetProperty("params");
        var channel = parameters.GetProperty("channel").GetString()!;
        var symbols = parameters.GetProperty("symbol").EnumerateArray().Select(s => s.GetString()!).ToList();
        var interval = parameters.TryGetProperty("interval", out var i) ? i.GetInt32() : 0;
        if (session.Hub.RefuseGroupedSubscriptions && symbols.Count > 1)
        {
            session.Hub.CountRefusal();
            return [$$"""{"error":"Exceeded msg rate","method":"subscribe","success":false,"symbol":"{{symbols[0]}}","time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}"""];
        }

        var answers = new List<string>();
        foreach (var symbol in symbols)
        {
            session.Topics[$"{channel}|{symbol}|{interval.ToString(CultureInfo.InvariantCulture)}"] = true;
            answers.Add($$"""{"method":"subscribe","result":{"channel":"{{channel}}","snapshot":true,"symbol":"{{symbol}}"},"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}""");
        }

        return answers;
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
        var (channel, symbol, interval) = (parts[0], parts[1], parts[2]);
        var ci = CultureInfo.InvariantCulture;
        switch (channel)
        {
            case "ohlc":
                yield return string.Create(ci,
                    $$"""{"channel":"ohlc","type":"update","timestamp":"{{Rfc3339(candle.OpenTime)}}","data":[{"symbol":"{{symbol}}","open":{{candle.Open}},"high":{{candle.High}},"low":{{candle.Low}},"close":{{candle.Close}},"trades":{{candle.TradeCount ?? 0}},"volume":{{candle.Volume}},"vwap":{{candle.Close}},"interval_begin":"{{Rfc3339(candle.OpenTime)}}","interval":{{interval}}}]}""");
                break;
            case "trade":
                yield return string.Create(ci,
                    $$"""{"channel":"trade","type":"update","data":[{"symbol":"{{symbol}}","side":"{{(step % 2 == 0 ? "buy" : "sell")}}","price":{{candle.Close}},"qty":{{TradeQuantity(step)}},"ord_type":"market","trade_id":{{TradeIdAt(step)}},"timestamp":"{{Rfc3339(candle.OpenTime + step % Timeline.UpdatesPerCandle * 1000)}}"}]}""");
                break;
            case "ticker":
                yield return string.Create(ci,
                    $$"""{"channel":"ticker","type":"update","data":[{"symbol":"{{symbol}}","bid":{{candle.Close - 0.01m}},"bid_qty":1.0,"ask":{{candle.Close + 0.01m}},"ask_qty":1.0,"last":{{candle.Close}},"volume":{{candle.Volume}},"vwap":{{candle.Close}},"low":{{candle.Low}},"high":{{candle.High}},"change":{{candle.Close - candle.Open}},"change_pct":0.0}]}""");
                break;
        }
    }

    /// <summary>The size of the trade played at <paramref name="step"/> (base currency).</summary>
    public static decimal TradeQuantity(int step) => 0.001m * (step + 1);

    private static string Rfc3339(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
