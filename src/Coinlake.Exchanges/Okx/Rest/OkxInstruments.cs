using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coinlake.Markets;

namespace Coinlake.Exchanges.Okx.Rest;

/// <summary>A market with the OKX index its index candles follow (<c>uly</c>/<c>instFamily</c>, e.g. <c>BTC-USDT</c>).</summary>
/// <param name="Market">The unified market.</param>
/// <param name="IndexId">Index id for <c>/market/index-candles</c>; the instrument family of a derivative, the instId of a spot pair.</param>
internal sealed record OkxMarket(MarketInfo Market, string IndexId);

/// <summary>
/// Maps <c>GET /api/v5/public/instruments</c> answers ("Public Data" / "Get instruments") to unified markets the way
/// ccxt names them: spot <c>BTC-USDT</c> → <c>BTC/USDT</c> (<c>baseCcy</c>/<c>quoteCcy</c>); swaps
/// <c>BTC-USDT-SWAP</c> → <c>BTC/USDT:USDT</c> and <c>BTC-USD-SWAP</c> → <c>BTC/USD:BTC</c> (base and quote from
/// <c>instFamily</c>, or <c>uly</c> in answers recorded before <c>instFamily</c> existed; settle = <c>settleCcy</c>);
/// futures <c>BTC-USD-240329</c> → <c>BTC/USD:BTC-240329</c> (expiry = the id's date suffix, else the UTC date of
/// <c>expTime</c>). <c>state</c> <c>live</c> means active (<c>suspend</c>, <c>preopen</c>, <c>test</c> do not trade).
/// Options and rows without usable codes are skipped.
/// </summary>
internal static class OkxInstruments
{
    /// <summary>Parses the <c>data</c> array of an instruments answer.</summary>
    /// <exception cref="MalformedResponseException">The data is not an array of instrument objects.</exception>
    public static List<OkxMarket> Parse(ReadOnlySpan<byte> data, Uri url, string exchange)
    {
        List<InstrumentDto>? rows;
        try
        {
            rows = JsonSerializer.Deserialize(data, OkxJsonContext.Default.ListInstrumentDto);
        }
        catch (JsonException ex)
        {
            throw new MalformedResponseException(exchange, url, $"invalid instruments JSON: {ex.Message}", ex);
        }

        if (rows is null)
        {
            throw new MalformedResponseException(exchange, url, "the instruments answer has no data array");
        }

        var markets = new List<OkxMarket>(rows.Count);
        foreach (var row in rows)
        {
            if (ToMarket(row) is { } market)
            {
                markets.Add(market);
            }
        }

        return markets;
    }

    /// <summary>The OKX <c>instType</c> of a market type: <c>SPOT</c>, <c>SWAP</c> or <c>FUTURES</c>.</summary>
    public static string InstType(MarketType type) => type switch
    {
        MarketType.Spot => "SPOT",
        MarketType.Swap => "SWAP",
        MarketType.Future => "FUTURES",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static OkxMarket? ToMarket(InstrumentDto row)
    {
        if (string.IsNullOrEmpty(row.InstId))
        {
            return null;
        }

        var active = string.Equals(row.State, "live", StringComparison.Ordinal);
        switch (row.InstType)
        {
            case "SPOT":
            {
                var (b, q) = !string.IsNullOrEmpty(row.BaseCcy) && !string.IsNullOrEmpty(row.QuoteCcy)
                    ? (row.BaseCcy, row.QuoteCcy)
                    : Split(row.InstId);
                return Build(b, q, null, null, row.InstId, MarketType.Spot, active, row.InstId);
            }

            case "SWAP" or "FUTURES":
            {
                var family = !string.IsNullOrEmpty(row.InstFamily) ? row.InstFamily : row.Uly;
                if (string.IsNullOrEmpty(family) || string.IsNullOrEmpty(row.SettleCcy))
                {
                    return null;
                }

                var (b, q) = Split(family);
                string? expiry = null;
                var type = MarketType.Swap;
                if (row.InstType == "FUTURES")
                {
                    type = MarketType.Future;
                    expiry = ExpiryOf(row);
                    if (expiry is null)
                    {
                        return null;
                    }
                }

                return Build(b, q, row.SettleCcy, expiry, row.InstId, type, active, family);
            }

            default:
                return null;
        }
    }

    private static OkxMarket? Build(string? b, string? q, string? settle, string? expiry, string id, MarketType type, bool active, string indexId)
    {
        if (string.IsNullOrEmpty(b) || string.IsNullOrEmpty(q))
        {
            return null;
        }

        var text = settle is null ? $"{b}/{q}" : expiry is null ? $"{b}/{q}:{settle}" : $"{b}/{q}:{settle}-{expiry}";
        if (!Symbol.TryParse(text, out var symbol))
        {
            return null;
        }

        return new OkxMarket(new MarketInfo(symbol, id, type, symbol.ImpliedSubtype, active), indexId);
    }

    private static (string? Base, string? Quote) Split(string id)
    {
        var parts = id.Split('-');
        return parts.Length >= 2 ? (parts[0], parts[1]) : (null, null);
    }

    private static string? ExpiryOf(InstrumentDto row)
    {
        var dash = row.InstId!.LastIndexOf('-');
        var suffix = dash < 0 ? "" : row.InstId[(dash + 1)..];
        if (suffix.Length == 6 && suffix.All(char.IsAsciiDigit))
        {
            return suffix;
        }

        return long.TryParse(row.ExpTime, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyMMdd", CultureInfo.InvariantCulture)
            : null;
    }
}

/// <summary>The fields of an instrument Coinlake reads (the venue sends many more).</summary>
internal sealed class InstrumentDto
{
    public string? InstType { get; set; }

    public string? InstId { get; set; }

    public string? Uly { get; set; }

    public string? InstFamily { get; set; }

    public string? BaseCcy { get; set; }

    public string? QuoteCcy { get; set; }

    public string? SettleCcy { get; set; }

    public string? CtType { get; set; }

    public string? ExpTime { get; set; }

    public string? State { get; set; }
}

/// <summary>Source-generated JSON metadata of the instruments DTOs.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<InstrumentDto>))]
internal sealed partial class OkxJsonContext : JsonSerializerContext;
