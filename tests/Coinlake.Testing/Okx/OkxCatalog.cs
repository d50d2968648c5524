using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Coinlake.Testing.Okx;

/// <summary>
/// The instruments and tickers the fake OKX server knows: the real <c>GET /api/v5/public/instruments</c> answers
/// recorded in <c>captures/OKX.0</c> (SPOT 513, SWAP 166, FUTURES 104, OPTION for BTC-USD and ETH-USD; served as
/// recorded, a 2022 schema with <c>uly</c> but no <c>instFamily</c>), plus instruments registered by tests that the
/// capture lacks (written in today's documented schema, with <c>instFamily</c>), and the last ticker of each
/// instrument recorded by the <c>tickers</c> channel in <c>captures/OKX.ws.1.0</c> (same fields as "GET / Tickers").
/// </summary>
internal sealed class OkxCatalog
{
    private static readonly Lazy<Dictionary<string, JsonArray>> _recorded = new(LoadRecorded);
    private static readonly Lazy<Dictionary<string, JsonObject>> _recordedTickers = new(LoadTickers);

    private readonly ConcurrentDictionary<string, JsonObject> _added = new(StringComparer.Ordinal);

    /// <summary>Instrument types served.</summary>
    public static readonly string[] InstTypes = ["SPOT", "SWAP", "FUTURES", "OPTION"];

    /// <summary>The instrument objects of <paramref name="instType"/> (recorded, then added), deep copies.</summary>
    public List<JsonObject> Instruments(string instType)
    {
        var list = new List<JsonObject>();
        foreach (var (key, array) in _recorded.Value)
        {
            if (key.StartsWith(instType + "|", StringComparison.Ordinal))
            {
                list.AddRange(array.Select(n => (JsonObject)n!.DeepClone()));
            }
        }

        list.AddRange(_added.Values.Where(o => (string?)o["instType"] == instType).Select(o => (JsonObject)o.DeepClone()));
        return list;
    }

    /// <summary>The instrument with <paramref name="instId"/>, or null.</summary>
    public JsonObject? Find(string instId)
    {
        if (_added.TryGetValue(instId, out var added))
        {
            return added;
        }

        foreach (var array in _recorded.Value.Values)
        {
            foreach (var node in array)
            {
                if ((string?)node!["instId"] == instId)
                {
                    return (JsonObject)node;
                }
            }
        }

        return null;
    }

    /// <summary>Recorded tickers (last recorded per instrument), deep copies.</summary>
    public static List<JsonObject> Tickers() => [.. _recordedTickers.Value.Values.Select(o => (JsonObject)o.DeepClone())];

    /// <summary>
    /// Registers <paramref name="instId"/> when neither recorded nor added: <c>BASE-QUOTE</c> spot,
    /// <c>BASE-QUOTE-SWAP</c> swap, <c>BASE-QUOTE-YYMMDD</c> future (settled in QUOTE, or BASE when QUOTE is USD).
    /// </summary>
    /// <exception cref="ArgumentException">The id has none of these shapes.</exception>
    public void Ensure(string instId)
    {
        if (Find(instId) is not null)
        {
            return;
        }

        var parts = instId.Split('-');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
        {
            throw new ArgumentException($"'{instId}' is not an OKX instrument id (BTC-USDT, BTC-USDT-SWAP, BTC-USD-240329).", nameof(instId));
        }

        var (b, q) = (parts[0], parts[1]);
        var inverse = q == "USD";
        var o = new JsonObject
        {
            ["instType"] = "SPOT", ["instId"] = instId, ["uly"] = "", ["instFamily"] = "", ["baseCcy"] = b, ["quoteCcy"] = q,
            ["settleCcy"] = "", ["ctVal"] = "", ["ctMult"] = "", ["ctValCcy"] = "", ["ctType"] = "", ["alias"] = "", ["expTime"] = "",
            ["listTime"] = "1548133413000", ["lotSz"] = "0.00000001", ["minSz"] = "0.00001", ["tickSz"] = "0.00000001",
            ["state"] = "live", ["ruleType"] = "normal", ["lever"] = "",
        };
        if (parts.Length == 3)
        {
            var swap = parts[2] == "SWAP";
            if (!swap && (parts[2].Length != 6 || !parts[2].All(char.IsAsciiDigit)))
            {
                throw new ArgumentException($"'{instId}' is not an OKX instrument id: the suffix must be SWAP or a YYMMDD expiry.", nameof(instId));
            }

            o["instType"] = swap ? "SWAP" : "FUTURES";
            o["uly"] = $"{b}-{q}";
            o["instFamily"] = $"{b}-{q}";
            o["baseCcy"] = "";
            o["quoteCcy"] = "";
            o["settleCcy"] = inverse ? b : q;
            o["ctType"] = inverse ? "inverse" : "linear";
            o["ctVal"] = inverse ? "100" : "0.01";
            o["ctValCcy"] = inverse ? "USD" : b;
            o["ctMult"] = "1";
            if (!swap)
            {
                var expiry = DateTimeOffset.ParseExact(parts[2], "yyMMdd", CultureInfo.InvariantCulture).AddHours(8);
                o["expTime"] = expiry.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            }
        }

        _added.TryAdd(instId, o);
    }

    private static Dictionary<string, JsonArray> LoadRecorded()
    {
        var result = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
        foreach (var query in new[] { "instType=SPOT", "instType=SWAP", "instType=FUTURES", "instType=OPTION&uly=BTC-USD", "instType=OPTION&uly=ETH-USD" })
        {
            var body = JsonNode.Parse(TestData.CapturePayload("OKX.0", "/api/v5/public/instruments?" + query))!;
            var type = query.Split('&')[0]["instType=".Length..];
            result[type + "|" + query] = body["data"]!.AsArray();
        }

        return result;
    }

    private static Dictionary<string, JsonObject> LoadTickers()
    {
        var result = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(TestData.PathOf("captures/OKX.ws.1.0")))
        {
            var brace = line.IndexOf(": {\"arg\":{\"channel\":\"tickers\"", StringComparison.Ordinal);
            if (brace < 0 || line.StartsWith("wss:", StringComparison.Ordinal))
            {
                continue;
            }

            var frame = JsonNode.Parse(line[(brace + 2)..])!;
            foreach (var ticker in frame["data"]?.AsArray() ?? [])
            {
                if (ticker is JsonObject t && (string?)t["instId"] is { } id)
                {
                    result[id] = t;
                }
            }
        }

        return result;
    }
}
