namespace Coinlake.Markets;

/// <summary>The kind of instrument a symbol trades as (ccxt's <c>type</c>).</summary>
public enum MarketType
{
    /// <summary>Spot: the base currency is delivered against the quote currency.</summary>
    Spot,

    /// <summary>Perpetual swap (no expiry), e.g. <c>BTC/USDT:USDT</c>.</summary>
    Swap,

    /// <summary>Dated (delivery) future, e.g. <c>BTC/USDT:USDT-240329</c>.</summary>
    Future,
}

/// <summary>How a derivative settles (ccxt's <c>subType</c>). Spot markets have none.</summary>
public enum MarketSubtype
{
    /// <summary>Spot market: no settlement subtype.</summary>
    None,

    /// <summary>Linear contract: margined and settled in the quote currency (e.g. USDⓈ-M).</summary>
    Linear,

    /// <summary>Inverse contract: margined and settled in the base currency (e.g. COIN-M, <c>BTC/USD:BTC</c>).</summary>
    Inverse,
}

/// <summary>Which price a candle series follows.</summary>
public enum PriceType
{
    /// <summary>Last traded price (the ordinary kline).</summary>
    Last,

    /// <summary>Mark price of a derivative (exchange's fair price used for margining).</summary>
    Mark,

    /// <summary>Index price of a derivative (weighted spot price from several venues).</summary>
    Index,
}

/// <summary>Canonical lower-case names of the market enums, as they appear in task files and stored rows.</summary>
public static class MarketNames
{
    /// <summary>Name of a market type: <c>spot</c>, <c>swap</c> or <c>future</c>.</summary>
    public static string ToName(this MarketType type) => type switch
    {
        MarketType.Spot => "spot",
        MarketType.Swap => "swap",
        MarketType.Future => "future",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Name of a price type: <c>last</c>, <c>mark</c> or <c>index</c>.</summary>
    public static string ToName(this PriceType type) => type switch
    {
        PriceType.Last => "last",
        PriceType.Mark => "mark",
        PriceType.Index => "index",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Name of a subtype: empty for spot, <c>linear</c> or <c>inverse</c>.</summary>
    public static string ToName(this MarketSubtype type) => type switch
    {
        MarketSubtype.None => "",
        MarketSubtype.Linear => "linear",
        MarketSubtype.Inverse => "inverse",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Parses <c>spot</c>, <c>swap</c> (alias <c>perp</c>, <c>perpetual</c>), <c>future</c> (alias <c>futures</c>), case-insensitive.</summary>
    public static bool TryParseMarketType(string? text, out MarketType type)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "spot": type = MarketType.Spot; return true;
            case "swap" or "perp" or "perpetual": type = MarketType.Swap; return true;
            case "future" or "futures" or "delivery": type = MarketType.Future; return true;
            default: type = default; return false;
        }
    }

    /// <summary>Parses <c>last</c> (alias <c>trade</c>), <c>mark</c>, <c>index</c>, case-insensitive.</summary>
    public static bool TryParsePriceType(string? text, out PriceType type)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "last" or "trade" or "trades": type = PriceType.Last; return true;
            case "mark": type = PriceType.Mark; return true;
            case "index": type = PriceType.Index; return true;
            default: type = default; return false;
        }
    }

    /// <summary>Parses <c>linear</c>, <c>inverse</c>, or empty/<c>none</c> for spot.</summary>
    public static bool TryParseSubtype(string? text, out MarketSubtype type)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "none": type = MarketSubtype.None; return true;
            case "linear": type = MarketSubtype.Linear; return true;
            case "inverse": type = MarketSubtype.Inverse; return true;
            default: type = default; return false;
        }
    }
}
