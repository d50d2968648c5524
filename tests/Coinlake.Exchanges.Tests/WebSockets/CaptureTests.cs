using System.Text;
using Coinlake.Exchanges.WebSockets;
using Coinlake.Testing;

namespace Coinlake.Exchanges.Tests.WebSockets;

/// <summary>The capture line format (cryptofeed's raw data collector) read and written.</summary>
public sealed class CaptureTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"coinlake-capture-{Guid.NewGuid():N}.txt");

    public void Dispose() => File.Delete(_path);

    private async Task<List<(CaptureRecordKind Kind, string? Url, long Time, string Payload, long Line)>> ReadAsync(string path)
    {
        var records = new List<(CaptureRecordKind, string?, long, string, long)>();
        await foreach (var r in CaptureReader.ReadAsync(path))
        {
            records.Add((r.Kind, r.Url, r.Timestamp, Encoding.UTF8.GetString(r.Payload.Span), r.Line));
        }

        return records;
    }

    [Fact]
    public async Task ReadAsync_EveryLineKind_IsParsedWithItsUrlTimeAndPayload()
    {
        await File.WriteAllTextAsync(_path,
            "https://api.test/markets -> 1618677785.481953: {\"a\":1}\n" +
            "configuration: {\"trades\":[\"BTC-USDT\"]}\n" +
            "wss://ws.test/stream <-> 1633998511.159679\n" +
            "wss://ws.test/stream <- 1633998511.5: {\"op\":\"subscribe\"}\r\n" +
            "\n" +
            "1633998512.0633569: {\"k\":\"v: w\"}\n" +
            "1633998513: pong");

        var records = await ReadAsync(_path);

        records.ShouldBe([
            (CaptureRecordKind.Http, "https://api.test/markets", 1618677785482, "{\"a\":1}", 1),
            (CaptureRecordKind.Connected, "wss://ws.test/stream", 1633998511160, "", 3),
            (CaptureRecordKind.Sent, "wss://ws.test/stream", 1633998511500, "{\"op\":\"subscribe\"}", 4),
            (CaptureRecordKind.Received, "wss://ws.test/stream", 1633998512063, "{\"k\":\"v: w\"}", 6),
            (CaptureRecordKind.Received, "wss://ws.test/stream", 1633998513000, "pong", 7),
        ]);
    }

    [Fact]
    public async Task ReadAsync_LineLongerThanTheBuffer_IsReadWhole()
    {
        var payload = "{\"x\":\"" + new string('a', 3 << 20) + "\"}";
        await File.WriteAllTextAsync(_path, $"wss://ws.test <-> 1.0\n2.0: {payload}\n3.0: end\n");

        var records = await ReadAsync(_path);

        records[1].Payload.ShouldBe(payload);
        records[2].Payload.ShouldBe("end");
    }

    [Theory]
    [InlineData("wss://ws.test <=> 1.0", "unknown direction '<=>'")]
    [InlineData("wss://ws.test <- 1.0 {}", "expected 'T: PAYLOAD'")]
    [InlineData("abc: {}", "no space-separated fields")]
    [InlineData("wss://ws.test <-> yesterday", "'yesterday' is not a Unix time in seconds")]
    public async Task ReadAsync_BadLine_NamesFileLineAndTheProblem(string line, string problem)
    {
        await File.WriteAllTextAsync(_path, "wss://ws.test <-> 1.0\n" + line + "\n");

        var error = await Should.ThrowAsync<FormatException>(() => ReadAsync(_path));

        error.Message.ShouldStartWith($"{_path}:2: not a capture line: ");
        error.Message.ShouldContain(problem);
    }

    [Fact]
    public async Task ReadAsync_MissingFile_SaysWhichFile()
    {
        var error = await Should.ThrowAsync<FileNotFoundException>(() => ReadAsync(_path + ".missing"));

        error.Message.ShouldContain(".missing' does not exist");
    }

    [Fact]
    public async Task CaptureWriter_WritesLinesTheReaderReadsBack_OnePerFrameEvenWithNewlines()
    {
        var url = new Uri("wss://ws.test/stream");
        var other = new Uri("wss://ws.test/other");
        await using (var writer = new CaptureWriter(_path))
        {
            writer.OnConnected(url, 1_700_000_000_123);
            writer.OnSent(url, "{\"op\":\n\"subscribe\"}", 1_700_000_000_200);
            writer.OnReceived(url, "{\"a\":1}"u8, 1_700_000_000_300);
            writer.OnConnected(other, 1_700_000_000_400);
            writer.OnReceived(other, "{\"b\":2}"u8, 1_700_000_000_500);
            writer.OnReceived(url, "{\"c\":3}"u8, 1_700_000_000_600);
        }

        var records = await ReadAsync(_path);

        records.Select(r => (r.Kind, r.Url, r.Time, r.Payload)).ShouldBe([
            (CaptureRecordKind.Connected, "wss://ws.test/stream", 1_700_000_000_123, ""),
            (CaptureRecordKind.Sent, "wss://ws.test/stream", 1_700_000_000_200, "{\"op\": \"subscribe\"}"),
            (CaptureRecordKind.Received, "wss://ws.test/stream", 1_700_000_000_300, "{\"a\":1}"),
            (CaptureRecordKind.Connected, "wss://ws.test/other", 1_700_000_000_400, ""),
            (CaptureRecordKind.Received, "wss://ws.test/other", 1_700_000_000_500, "{\"b\":2}"),
            // Frames of interleaved connections re-announce theirs, so each received line belongs to the line above it.
            (CaptureRecordKind.Connected, "wss://ws.test/stream", 1_700_000_000_600, ""),
            (CaptureRecordKind.Received, "wss://ws.test/stream", 1_700_000_000_600, "{\"c\":3}"),
        ]);
    }

    [Fact]
    public async Task CaptureHttpHandler_AnswersFromTheRecordedMarketList_And404sTheRest()
    {
        using var handler = await CaptureHttpHandler.LoadAsync([TestData.PathOf("captures/BINANCE.0")]);
        using var http = new HttpClient(handler);

        var info = await http.GetStringAsync(new Uri("http://127.0.0.1:1/api/v3/exchangeInfo"));
        var missing = await http.GetAsync(new Uri("http://127.0.0.1:1/api/v3/klines"));

        handler.Count.ShouldBe(1);
        info.ShouldStartWith("{\"timezone\":\"UTC\",\"serverTime\":1633998511098");
        missing.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }
}
