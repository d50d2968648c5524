using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Coinlake.Candles;

namespace Coinlake.Testing;

/// <summary>
/// Finds and loads the real market data shared by tests and benchmarks (<c>shared/data</c>, described by its
/// <c>README.md</c>). Data is never copied into the repository: it is read where it lies. Loaded series are cached
/// for the life of the process (many tests use them); the returned lists are read-only and shared.
/// </summary>
public static class TestData
{
    /// <summary>Environment variable that points at the data folder (the one holding <c>klines/</c>, <c>captures/</c>).</summary>
    public const string EnvironmentVariable = "COINLAKE_TESTDATA";

    private static readonly Lazy<string?> _root = new(FindRoot);
    private static readonly Lazy<IReadOnlyList<Candle>> _binanceUs = new(() => LoadPandasCsv(PathOf("klines/binanceus-BTCUSDT-1m-2023-03-01_2023-03-21.csv")));
    private static readonly Lazy<IReadOnlyList<Candle>> _freqtradeBtc = new(() => LoadFreqtradeJson(PathOf("klines/freqtrade-UNITTEST_BTC-1m.json")));
    private static readonly Lazy<IReadOnlyList<Candle>> _freqtradeXrp = new(() => LoadFreqtradeJson(PathOf("klines/freqtrade-XRP_USDT_USDT-1h-futures.json.gz")));
    private static readonly ConcurrentDictionary<(string File, string Url), Lazy<string>> _payloads = new();

    /// <summary>
    /// The data folder: <c>COINLAKE_TESTDATA</c> when set, else the first <c>shared/data</c> found walking up from
    /// <see cref="AppContext.BaseDirectory"/> (from a worktree's <c>bin/</c> this is <c>/work/shared/data</c>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">Neither exists; the message says where it looked and how to fix it.</exception>
    public static string Root => _root.Value ?? throw new DirectoryNotFoundException(
        $"Test data folder not found: {EnvironmentVariable} is not set (or points at no folder) and no 'shared/data' " +
        $"folder exists above {AppContext.BaseDirectory}. Set {EnvironmentVariable} to the folder that holds klines/ and captures/.");

    /// <summary>True when the data folder was found (tests that need it can skip with a plain message otherwise).</summary>
    public static bool IsAvailable => _root.Value is not null;

    /// <summary>The full path of a file under <see cref="Root"/>, e.g. <c>PathOf("captures/BINANCE.0")</c>.</summary>
    /// <param name="relative">Path relative to the data folder, with <c>/</c> separators.</param>
    /// <exception cref="FileNotFoundException">The file is absent; the message names the path and <c>COINLAKE_TESTDATA</c>.</exception>
    /// <exception cref="DirectoryNotFoundException">The data folder itself was not found.</exception>
    public static string PathOf(string relative)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relative);
        var path = Path.GetFullPath(Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar)));
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"Test data file '{path}' does not exist. The data folder is '{Root}' (set {EnvironmentVariable} to use another one).", path);
    }

    /// <summary>
    /// Binance.US BTC/USDT 1m candles, 2023-03-01 00:00 to 2023-03-21 23:59 UTC: 30,240 contiguous rows from
    /// <c>klines/binanceus-BTCUSDT-1m-2023-03-01_2023-03-21.csv</c>. Prices in USDT, volume in BTC, parsed exactly
    /// (pandas wrote a few tiny volumes as <c>5.4e-05</c>: they load as <c>0.000054</c>). Quote volume and trade
    /// count are null (the file has none).
    /// </summary>
    public static IReadOnlyList<Candle> BinanceUsBtcUsdt1m() => _binanceUs.Value;

    /// <summary>
    /// A real Binance 1m series from November 2017 (<c>klines/freqtrade-UNITTEST_BTC-1m.json</c>): 13,681 candles
    /// with 538 natural gaps, numbers parsed exactly from their JSON text. Quote volume and trade count are null.
    /// </summary>
    public static IReadOnlyList<Candle> FreqtradeUnittestBtc1m() => _freqtradeBtc.Value;

    /// <summary>
    /// 100 contiguous 1h candles of Binance's XRP/USDT:USDT perpetual, November 2021
    /// (<c>klines/freqtrade-XRP_USDT_USDT-1h-futures.json.gz</c>), numbers parsed exactly from their JSON text
    /// (some carry float noise such as <c>2697616.0709080002</c>, kept as written). Quote volume and trade count are null.
    /// </summary>
    public static IReadOnlyList<Candle> FreqtradeXrpUsdtFutures1h() => _freqtradeXrp.Value;

    /// <summary>
    /// The body of the first recorded HTTP answer (<c>URL -&gt; T: BODY</c> line) in <c>captures/&lt;file&gt;</c>
    /// whose URL contains <paramref name="urlContains"/> (ordinal). E.g. <c>CapturePayload("BINANCE.0", "exchangeInfo")</c>
    /// is Binance spot's exchangeInfo JSON. Results are cached.
    /// </summary>
    /// <param name="file">File name under <c>captures/</c>, e.g. <c>BINANCE_FUTURES.0</c>.</param>
    /// <param name="urlContains">Text the URL must contain, e.g. <c>/fapi/v1/exchangeInfo</c>.</param>
    /// <exception cref="FileNotFoundException">The capture file is absent.</exception>
    /// <exception cref="InvalidDataException">No HTTP answer in the file has a matching URL.</exception>
    public static string CapturePayload(string file, string urlContains)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        ArgumentNullException.ThrowIfNull(urlContains);
        var lazy = _payloads.GetOrAdd((file, urlContains), key => new Lazy<string>(() => ReadPayload(key.File, key.Url)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _payloads.TryRemove(new KeyValuePair<(string, string), Lazy<string>>((file, urlContains), lazy));
            throw;
        }
    }

    private static string? FindRoot()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env) && Directory.Exists(env))
        {
            return Path.GetFullPath(env);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string ReadPayload(string file, string urlContains)
    {
        var path = PathOf("captures/" + file);

        // Lines can be megabytes; only lines that open with "http" and carry " -> " are answers. Scanning the
        // prefix before materializing keeps the work proportional to the answers, not to the WebSocket frames.
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        while (reader.ReadLine() is { } line)
        {
            if (!line.StartsWith("http", StringComparison.Ordinal))
            {
                continue;
            }

            var arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
            if (arrow < 0 || line.AsSpan(0, arrow).Contains(' ') || !line.AsSpan(0, arrow).Contains(urlContains.AsSpan(), StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(": ", arrow + 4, StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new InvalidDataException($"Capture '{path}': the answer to {line[..arrow]} has no ': ' before its body.");
            }

            return line[(colon + 2)..];
        }

        throw new InvalidDataException($"Capture '{path}' has no HTTP answer ('URL -> T: BODY' line) whose URL contains '{urlContains}'.");
    }

    private static Candle[] LoadPandasCsv(string path)
    {
        var result = new List<Candle>(31_000);
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = reader.ReadLine();
        if (!string.Equals(header, "open_time,open,high,low,close,volume", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}': expected header 'open_time,open,high,low,close,volume', found '{header}'.");
        }

        var lineNumber = 1;
        Span<Range> parts = stackalloc Range[7];
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var span = line.AsSpan();
            if (span.Split(parts, ',') != 6)
            {
                throw new InvalidDataException($"'{path}' line {lineNumber}: expected 6 comma-separated fields, found '{line}'.");
            }

            try
            {
                var time = DateTimeOffset.ParseExact(span[parts[0]], "yyyy-MM-dd HH:mm:sszzz", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds();
                result.Add(new Candle(time, Dec(span[parts[1]]), Dec(span[parts[2]]), Dec(span[parts[3]]), Dec(span[parts[4]]), Dec(span[parts[5]])));
            }
            catch (FormatException ex)
            {
                throw new InvalidDataException($"'{path}' line {lineNumber}: cannot parse '{line}': {ex.Message}", ex);
            }
        }

        return [.. result];

        static decimal Dec(ReadOnlySpan<char> text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static Candle[] LoadFreqtradeJson(string path)
    {
        byte[] bytes;
        if (path.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var memory = new MemoryStream();
            gzip.CopyTo(memory);
            bytes = memory.ToArray();
        }
        else
        {
            bytes = File.ReadAllBytes(path);
        }

        var result = new List<Candle>(16_000);
        var reader = new Utf8JsonReader(bytes);
        Span<decimal> values = stackalloc decimal[5];
        try
        {
            Expect(ref reader, JsonTokenType.StartArray);
            while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
            {
                Expect(ref reader, JsonTokenType.Number);
                var time = reader.TryGetInt64(out var t) ? t : (long)Number(ref reader);
                for (var i = 0; i < 5; i++)
                {
                    Expect(ref reader, JsonTokenType.Number);
                    values[i] = Number(ref reader);
                }

                Expect(ref reader, JsonTokenType.EndArray);
                result.Add(new Candle(time, values[0], values[1], values[2], values[3], values[4]));
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{path}' is not a JSON array of [open_time_ms, o, h, l, c, v] rows (at byte {reader.BytesConsumed}): {ex.Message}", ex);
        }

        return [.. result];

        static decimal Number(ref Utf8JsonReader reader) =>
            decimal.Parse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture);

        static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
        {
            if (!reader.Read() || reader.TokenType != type)
            {
                throw new JsonException($"expected {type}, found {reader.TokenType}");
            }
        }
    }
}
