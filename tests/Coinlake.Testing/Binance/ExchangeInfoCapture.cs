using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using System.Text.Json;

namespace Coinlake.Testing.Binance;

/// <summary>
/// A captured Binance <c>exchangeInfo</c> answer (spot: <c>captures/BINANCE.0</c>, USDⓈ-M: <c>captures/BINANCE_FUTURES.0</c>),
/// loaded once per process: its raw bytes, and the symbol ids and pairs it lists.
/// </summary>
internal sealed class ExchangeInfoCapture
{
    private static readonly Lazy<ExchangeInfoCapture> _spot = new(() => Load("BINANCE.0", "/api/v3/exchangeInfo"));
    private static readonly Lazy<ExchangeInfoCapture> _futures = new(() => Load("BINANCE_FUTURES.0", "/fapi/v1/exchangeInfo"));

    // Parsed once and kept for the process (read-only use of a JsonDocument is thread-safe).
    private readonly JsonDocument? _document;

    private ExchangeInfoCapture(byte[] body, JsonDocument? document, FrozenSet<string> symbols, FrozenSet<string> symbolIds, string? error)
    {
        Body = body;
        _document = document;
        Symbols = symbols;
        SymbolIds = symbolIds;
        Error = error;
    }

    /// <summary>The captured spot exchangeInfo.</summary>
    public static ExchangeInfoCapture Spot => _spot.Value;

    /// <summary>The captured USDⓈ-M futures exchangeInfo.</summary>
    public static ExchangeInfoCapture Futures => _futures.Value;

    /// <summary>UTF-8 JSON body (empty when the capture could not be loaded).</summary>
    public byte[] Body { get; }

    /// <summary>Symbol ids and (futures) pairs listed.</summary>
    public FrozenSet<string> Symbols { get; }

    /// <summary>Symbol ids listed (the <c>symbol</c> of each entry, without futures pairs), e.g. for "all symbols" tickers.</summary>
    public FrozenSet<string> SymbolIds { get; }

    /// <summary>Why the capture could not be loaded, or null.</summary>
    public string? Error { get; }

    /// <summary>
    /// The body with only the listed symbols in <c>symbols</c> (spot <c>exchangeInfo?symbol=</c> / <c>symbols=</c>),
    /// or null when one of them is not listed.
    /// </summary>
    public byte[]? Filter(IReadOnlyCollection<string> wanted)
    {
        if (_document is not { } doc || wanted.Any(s => !Symbols.Contains(s)))
        {
            return null;
        }

        var output = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!property.NameEquals("symbols"))
                {
                    property.WriteTo(writer);
                    continue;
                }

                writer.WriteStartArray("symbols");
                foreach (var symbol in property.Value.EnumerateArray())
                {
                    if (symbol.TryGetProperty("symbol", out var id) && wanted.Contains(id.GetString()!))
                    {
                        symbol.WriteTo(writer);
                    }
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private static ExchangeInfoCapture Load(string file, string url)
    {
        try
        {
            var body = Encoding.UTF8.GetBytes(TestData.CapturePayload(file, url));
            var symbols = new HashSet<string>(StringComparer.Ordinal);
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var doc = JsonDocument.Parse(body);
            foreach (var symbol in doc.RootElement.GetProperty("symbols").EnumerateArray())
            {
                if (symbol.TryGetProperty("symbol", out var id) && id.GetString() is { } s)
                {
                    symbols.Add(s);
                    ids.Add(s);
                }

                if (symbol.TryGetProperty("pair", out var pair) && pair.GetString() is { Length: > 0 } p)
                {
                    symbols.Add(p);
                }
            }

            return new ExchangeInfoCapture(body, doc, symbols.ToFrozenSet(StringComparer.Ordinal), ids.ToFrozenSet(StringComparer.Ordinal), null);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or JsonException or KeyNotFoundException)
        {
            return new ExchangeInfoCapture([], null, FrozenSet<string>.Empty, FrozenSet<string>.Empty, $"Captured exchangeInfo unavailable: {ex.Message}");
        }
    }
}
