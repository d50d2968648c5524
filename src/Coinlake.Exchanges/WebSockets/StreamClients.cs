using Coinlake.Markets;
using Coinlake.Streaming;

namespace Coinlake.Exchanges.WebSockets;

/// <summary>What the venue clients' <see cref="IMarketStreamClient.StreamAsync"/> and replay symbol maps share.</summary>
internal static class StreamClients
{
    /// <summary>Checks that there is something to stream and that the exchange streams all of it.</summary>
    /// <exception cref="ArgumentException">No subscriptions.</exception>
    /// <exception cref="NotSupportedException">A subscription is not streamed; the message says why and what to use instead.</exception>
    public static void Validate(string exchange, IReadOnlyList<StreamSubscription> subscriptions, Func<StreamSubscription, string?> whyUnsupported)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        if (subscriptions.Count == 0)
        {
            throw new ArgumentException("Nothing to stream: pass at least one subscription.", nameof(subscriptions));
        }

        foreach (var subscription in subscriptions)
        {
            ArgumentNullException.ThrowIfNull(subscription, nameof(subscriptions));
            if (whyUnsupported(subscription) is { } why)
            {
                throw new NotSupportedException($"{exchange} cannot stream {subscription}: {why}");
            }
        }
    }

    /// <summary>
    /// <paramref name="options"/> with <see cref="StreamOptions.Endpoint"/> defaulted to <see cref="RestHostEndpoint"/>; an
    /// explicit endpoint is kept.
    /// </summary>
    public static StreamOptions WithRestHost(StreamOptions options, Uri restBaseUrl, params ReadOnlySpan<string> productionHosts) =>
        options.Endpoint is not null ? options : options with { Endpoint = RestHostEndpoint(restBaseUrl, productionHosts) };

    /// <summary>
    /// <paramref name="restBaseUrl"/> when it is not one of the exchange's production hosts (a mirror, testnet or fake
    /// server: the stream then connects to the same host with the ws/wss scheme and the exchange's own path); else null.
    /// </summary>
    public static Uri? RestHostEndpoint(Uri restBaseUrl, params ReadOnlySpan<string> productionHosts)
    {
        foreach (var host in productionHosts)
        {
            if (string.Equals(restBaseUrl.Host, host, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        return restBaseUrl;
    }

    /// <summary>
    /// Validates each subscription's symbol against the exchange's markets (<see cref="UnknownSymbolException"/> naming the
    /// closest) and maps the markets of the subscriptions' market types, ids the lists lack parsed by <paramref name="fallback"/>.
    /// </summary>
    /// <exception cref="UnknownSymbolException">A symbol is not listed.</exception>
    public static async Task<StreamSymbols> SymbolsForAsync(IMarketCatalog catalog, IReadOnlyList<StreamSubscription> subscriptions,
        Func<string, MarketType, Symbol?> fallback, CancellationToken cancellationToken)
    {
        foreach (var subscription in subscriptions)
        {
            await catalog.GetMarketAsync(subscription.Symbol, subscription.MarketType, cancellationToken).ConfigureAwait(false);
        }

        var markets = new List<MarketInfo>();
        foreach (var type in subscriptions.Select(s => s.MarketType).Distinct())
        {
            markets.AddRange(await catalog.GetMarketsAsync(type, cancellationToken).ConfigureAwait(false));
        }

        return new StreamSymbols(markets, fallback);
    }

    /// <summary>
    /// The symbol map of every market type whose list loads (a replay may hold only the spot list); the first failure is
    /// thrown only when none loads.
    /// </summary>
    /// <exception cref="ExchangeException">No market list could be loaded.</exception>
    public static async Task<StreamSymbols> AllSymbolsAsync(IMarketCatalog catalog, Func<string, MarketType, Symbol?> fallback, CancellationToken cancellationToken)
    {
        var markets = new List<MarketInfo>();
        ExchangeException? failure = null;
        foreach (var type in new[] { MarketType.Spot, MarketType.Swap, MarketType.Future })
        {
            try
            {
                markets.AddRange(await catalog.GetMarketsAsync(type, cancellationToken).ConfigureAwait(false));
            }
            catch (ExchangeException ex)
            {
                failure ??= ex;
            }
            catch (Exception ex) when (ex is NotSupportedException or ArgumentException)
            {
                // This exchange id does not serve that market type.
            }
        }

        if (markets.Count == 0 && failure is not null)
        {
            throw failure;
        }

        return new StreamSymbols(markets, fallback);
    }
}
