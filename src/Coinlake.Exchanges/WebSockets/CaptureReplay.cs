using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Coinlake.Streaming;

namespace Coinlake.Exchanges.WebSockets;

/// <summary>Counts of a capture replay.</summary>
public sealed class ReplayStats
{
    /// <summary>Frames received (the <c>T: PAYLOAD</c> lines).</summary>
    public long Frames { get; internal set; }

    /// <summary>Frames that carried market data.</summary>
    public long DataFrames { get; internal set; }

    /// <summary>Frames that could not be parsed (skipped, as a live stream does).</summary>
    public long Malformed { get; internal set; }

    /// <summary>Connections opened in the capture.</summary>
    public long Connections { get; internal set; }

    /// <summary>Events produced.</summary>
    public long Events { get; internal set; }

    /// <summary>Market-data frames for ids the symbol map could not resolve, by id (first 100 distinct).</summary>
    public HashSet<string> Unresolved { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Runs a capture file through an exchange's <see cref="StreamProtocol"/> parsers, at full speed: the same code path as
/// a live connection after the socket, so a replay stores what the live stream would have stored.
/// </summary>
public static class CaptureReplay
{
    /// <summary>Yields the events of every received frame of <paramref name="path"/>, in file order.</summary>
    /// <param name="path">The capture file.</param>
    /// <param name="protocol">The exchange's protocol.</param>
    /// <param name="symbols">Resolves the exchange's ids (build it from the capture's market list when there is one: <see cref="CaptureHttpHandler"/>).</param>
    /// <param name="stats">Receives counts; may be null.</param>
    /// <param name="cancellationToken">Stops the replay.</param>
    /// <exception cref="FormatException">A line is not in the capture format.</exception>
    public static async IAsyncEnumerable<MarketEvent> ReplayAsync(
        string path,
        StreamProtocol protocol,
        StreamSymbols symbols,
        ReplayStats? stats = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(symbols);
        stats ??= new ReplayStats();
        StreamFrameParser? parser = null;
        var events = new List<MarketEvent>(64);
        await foreach (var record in CaptureReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            switch (record.Kind)
            {
                case CaptureRecordKind.Connected:
                    stats.Connections++;
                    parser = protocol.CreateParser(symbols, null, new Uri(record.Url!));
                    break;
                case CaptureRecordKind.Received:
                    stats.Frames++;
                    if (parser is null)
                    {
                        throw new FormatException($"{path}:{record.Line}: a received frame comes before any 'URL <-> T' connection line.");
                    }

                    var result = parser.Parse(record.Payload.Span, record.Timestamp, events);
                    if (result.Kind == FrameKind.Data)
                    {
                        stats.DataFrames++;
                    }
                    else if (result.Kind == FrameKind.Malformed)
                    {
                        stats.Malformed++;
                    }

                    if (events.Count > 0)
                    {
                        stats.Events += events.Count;
                        foreach (var item in events)
                        {
                            yield return item;
                        }

                        events.Clear();
                    }

                    break;
            }
        }
    }
}

/// <summary>
/// An <see cref="HttpMessageHandler"/> answering GET requests from the <c>URL -&gt; T: BODY</c> lines of capture files
/// (e.g. the market lists in <c>BINANCE.0</c>), matched on path and query, then on path alone, then on the path with its
/// API version segment ignored (a capture's <c>/api/v1/symbols</c> answers today's <c>/api/v2/symbols</c>), ignoring the host. Lets
/// the REST clients load markets offline for a replay. Unmatched requests get 404.
/// </summary>
public sealed class CaptureHttpHandler : HttpMessageHandler
{
    private readonly Dictionary<string, byte[]> _byPathAndQuery = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _byUnversionedPath = new(StringComparer.Ordinal);

    private CaptureHttpHandler()
    {
    }

    /// <summary>How many recorded responses are held.</summary>
    public int Count => _byPathAndQuery.Count;

    /// <summary>Loads the HTTP lines of <paramref name="paths"/> (files without any are fine).</summary>
    /// <exception cref="FormatException">A line is not in the capture format.</exception>
    public static async Task<CaptureHttpHandler> LoadAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var handler = new CaptureHttpHandler();
        foreach (var path in paths)
        {
            await foreach (var record in CaptureReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
            {
                if (record.Kind != CaptureRecordKind.Http || !Uri.TryCreate(record.Url, UriKind.Absolute, out var url))
                {
                    continue;
                }

                var body = record.Payload.ToArray();
                handler._byPathAndQuery[url.PathAndQuery] = body;
                handler._byPath.TryAdd(url.AbsolutePath, body);
                handler._byUnversionedPath.TryAdd(Unversioned(url.AbsolutePath), body);
            }
        }

        return handler;
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = request.RequestUri!;
        if (!_byPathAndQuery.TryGetValue(url.PathAndQuery, out var body) && !_byPath.TryGetValue(url.AbsolutePath, out body)
            && !_byUnversionedPath.TryGetValue(Unversioned(url.AbsolutePath), out body))
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound)
            {
                RequestMessage = request,
                Content = new StringContent($"{{\"error\":\"no recorded response for {url.PathAndQuery}\"}}", Encoding.UTF8, "application/json"),
            });
        }

        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
        });
    }

    /// <summary><c>/api/v2/symbols</c> -&gt; <c>/api/*/symbols</c>: path segments of the form v + digits are wildcards.</summary>
    private static string Unversioned(string path) =>
        string.Join('/', path.Split('/').Select(segment => segment.Length > 1 && segment[0] == 'v' && segment[1..].All(char.IsAsciiDigit) ? "*" : segment));
}
