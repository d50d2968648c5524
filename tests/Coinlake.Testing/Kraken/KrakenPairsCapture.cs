using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coinlake.Testing.Kraken;

/// <summary>
/// The recorded <c>/0/public/AssetPairs</c> answer (<c>captures/KRAKEN.0</c>, April 2021) the fake server replays, with
/// its pairs indexed by key, altname and wsname, and an <c>/0/public/Assets</c> answer built from the recorded pairs'
/// assets in today's documented schema (no Assets answer was recorded).
/// </summary>
internal sealed class KrakenPairsCapture
{
    private static readonly Lazy<KrakenPairsCapture> _instance = new(() => new KrakenPairsCapture(TestData.CapturePayload("KRAKEN.0", "/0/public/AssetPairs")));

    private readonly Dictionary<string, string> _keyByName = new(StringComparer.OrdinalIgnoreCase);

    private KrakenPairsCapture(string body)
    {
        Body = Encoding.UTF8.GetBytes(body);
        var root = JsonNode.Parse(body)!.AsObject();
        Pairs = root["result"]!.AsObject();
        var assets = new JsonObject();
        foreach (var (key, value) in Pairs)
        {
            var pair = value!.AsObject();
            _keyByName.TryAdd(key, key);
            if (pair["altname"]?.GetValue<string>() is { } alt)
            {
                _keyByName.TryAdd(alt, key);
            }

            if (pair["wsname"]?.GetValue<string>() is { } ws)
            {
                _keyByName.TryAdd(ws, key);
                var parts = ws.Split('/');
                AddAsset(assets, pair["base"]!.GetValue<string>(), parts[0]);
                AddAsset(assets, pair["quote"]!.GetValue<string>(), parts[1]);
            }
        }

        AssetsBody = Encoding.UTF8.GetBytes(new JsonObject { ["error"] = new JsonArray(), ["result"] = assets }.ToJsonString());
    }

    public static KrakenPairsCapture Instance => _instance.Value;

    /// <summary>The recorded answer, byte for byte.</summary>
    public byte[] Body { get; }

    /// <summary>The <c>result</c> object: pair key → pair.</summary>
    public JsonObject Pairs { get; }

    /// <summary><c>{"error":[],"result":{"XXBT":{"aclass":"currency","altname":"XBT","decimals":10,"display_decimals":5,"status":"enabled"},...}}</c>.</summary>
    public byte[] AssetsBody { get; }

    /// <summary>The pair key of a key, altname or wsname (case-insensitive), or null.</summary>
    public string? KeyOf(string name) => _keyByName.TryGetValue(name, out var key) ? key : null;

    /// <summary><c>pair_decimals</c> of a pair key (price decimals), 5 when unknown.</summary>
    public int PriceDecimals(string key) => Pairs[key]?["pair_decimals"]?.GetValue<int>() ?? 5;

    /// <summary>The AssetPairs answer for some pair keys only.</summary>
    public byte[] Filter(IEnumerable<string> keys)
    {
        var result = new JsonObject();
        foreach (var key in keys)
        {
            result[key] = Pairs[key]!.DeepClone();
        }

        return Encoding.UTF8.GetBytes(new JsonObject { ["error"] = new JsonArray(), ["result"] = result }.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    private static void AddAsset(JsonObject assets, string code, string altname)
    {
        if (!assets.ContainsKey(code))
        {
            assets[code] = new JsonObject
            {
                ["aclass"] = "currency",
                ["altname"] = altname,
                ["decimals"] = 10,
                ["display_decimals"] = 5,
                ["status"] = "enabled",
            };
        }
    }
}
