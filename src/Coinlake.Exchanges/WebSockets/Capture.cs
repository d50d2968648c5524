using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Coinlake.Exchanges.WebSockets;

/// <summary>What a capture line records.</summary>
public enum CaptureRecordKind
{
    /// <summary><c>URL &lt;-&gt; T</c>: a WebSocket connection opened.</summary>
    Connected,

    /// <summary><c>URL &lt;- T: PAYLOAD</c>: the client sent a frame.</summary>
    Sent,

    /// <summary><c>T: PAYLOAD</c>: the client received a frame (on the last opened connection).</summary>
    Received,

    /// <summary><c>URL -&gt; T: BODY</c>: an HTTP GET answered with BODY.</summary>
    Http,
}

/// <summary>One line of a capture file.</summary>
/// <param name="Kind">What the line records.</param>
/// <param name="Url">The connection or request URL; for <see cref="CaptureRecordKind.Received"/>, the last connection's URL (null before any).</param>
/// <param name="Timestamp">When, ms since epoch UTC (the file holds fractional Unix seconds).</param>
/// <param name="Payload">The frame or body as UTF-8 bytes; empty for <see cref="CaptureRecordKind.Connected"/>. Valid only until the next record is read.</param>
/// <param name="Line">1-based line number in the file, for error messages.</param>
public readonly record struct CaptureRecord(CaptureRecordKind Kind, string? Url, long Timestamp, ReadOnlyMemory<byte> Payload, long Line);

/// <summary>
/// Reads capture files in the line format of cryptofeed's raw data collector (see <c>shared/data/README.md</c>):
/// <c>URL &lt;-&gt; T</c>, <c>URL &lt;- T: PAYLOAD</c>, <c>T: PAYLOAD</c>, <c>URL -&gt; T: BODY</c>, T in Unix seconds.
/// Streams the file line by line over pooled buffers; no line is held after the next is read.
/// </summary>
public static class CaptureReader
{
    /// <summary>Reads the records of <paramref name="path"/> in file order.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line is not in the capture format (message names file and line).</exception>
    public static async IAsyncEnumerable<CaptureRecord> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Capture file '{path}' does not exist.", path);
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, useAsync: true);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var filled = 0;
            var start = 0;
            long line = 0;
            string? connection = null;
            var eof = false;
            while (true)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, filled - start);
                if (newline < 0)
                {
                    if (eof)
                    {
                        if (filled > start)
                        {
                            line++;
                            var last = Parse(path, line, buffer.AsMemory(start, filled - start), ref connection);
                            if (last is { } record)
                            {
                                yield return record;
                            }
                        }

                        yield break;
                    }

                    // Move the partial line to the front, growing the buffer for lines longer than it.
                    var partial = filled - start;
                    if (partial == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Buffer.BlockCopy(buffer, start, bigger, 0, partial);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    else if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, partial);
                    }

                    start = 0;
                    filled = partial;
                    var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        eof = true;
                    }

                    filled += read;
                    continue;
                }

                line++;
                var length = newline - start;
                if (length > 0 && buffer[newline - 1] == (byte)'\r')
                {
                    length--;
                }

                var parsed = Parse(path, line, buffer.AsMemory(start, length), ref connection);
                start = newline + 1;
                if (parsed is { } next)
                {
                    yield return next;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static CaptureRecord? Parse(string path, long line, ReadOnlyMemory<byte> memory, ref string? connection)
    {
        var span = memory.Span;
        if (span.Trim((byte)' ').IsEmpty)
        {
            return null;
        }

        var space = span.IndexOf((byte)' ');
        if (space < 0)
        {
            if (span[^1] == (byte)':')
            {
                return new CaptureRecord(CaptureRecordKind.Received, connection, Seconds(path, line, span[..^1]), ReadOnlyMemory<byte>.Empty, line);
            }

            throw Bad(path, line, "no space-separated fields");
        }

        var first = span[..space];
        if (first.SequenceEqual("configuration:"u8))
        {
            // cryptofeed's raw data collector records the feed's configuration (channels and symbols) as one line.
            return null;
        }

        if (first.Length > 1 && first[^1] == (byte)':' && (char.IsAsciiDigit((char)first[0])))
        {
            // "T: PAYLOAD"
            return new CaptureRecord(CaptureRecordKind.Received, connection, Seconds(path, line, first[..^1]), memory[(space + 1)..], line);
        }

        var url = Encoding.UTF8.GetString(first);
        var rest = span[(space + 1)..];
        var arrow = rest.IndexOf((byte)' ');
        if (arrow < 0)
        {
            throw Bad(path, line, "expected 'URL <-> T', 'URL <- T: PAYLOAD' or 'URL -> T: BODY'");
        }

        var direction = rest[..arrow];
        var afterArrow = space + 1 + arrow + 1;
        if (direction.SequenceEqual("<->"u8))
        {
            connection = url;
            return new CaptureRecord(CaptureRecordKind.Connected, url, Seconds(path, line, memory.Span[afterArrow..].Trim((byte)' ')), ReadOnlyMemory<byte>.Empty, line);
        }

        var kind = direction.SequenceEqual("<-"u8) ? CaptureRecordKind.Sent
            : direction.SequenceEqual("->"u8) ? CaptureRecordKind.Http
            : throw Bad(path, line, $"unknown direction '{Encoding.UTF8.GetString(direction)}' (expected <->, <- or ->)");
        var tail = memory[afterArrow..];
        var colon = tail.Span.IndexOf(": "u8);
        if (colon < 0)
        {
            throw Bad(path, line, "expected 'T: PAYLOAD' after the direction");
        }

        return new CaptureRecord(kind, url, Seconds(path, line, tail.Span[..colon]), tail[(colon + 2)..], line);
    }

    private static long Seconds(string path, long line, ReadOnlySpan<byte> text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds))
        {
            throw Bad(path, line, $"'{Encoding.UTF8.GetString(text)}' is not a Unix time in seconds");
        }

        return (long)Math.Round(seconds * 1000d);
    }

    private static FormatException Bad(string path, long line, string what) =>
        new($"{path}:{line}: not a capture line: {what}. Capture lines are 'URL <-> T', 'URL <- T: PAYLOAD', 'T: PAYLOAD' or 'URL -> T: BODY' (see shared/data/README.md).");
}

/// <summary>
/// Writes the raw traffic of live connections in the capture line format (<see cref="CaptureReader"/>), one line per
/// event, thread-safe; what it writes replays with <c>coinlake replay</c>. Newlines inside payloads are written as
/// spaces (JSON whitespace) so every event stays on one line.
/// </summary>
public sealed class CaptureWriter : IStreamCapture, IAsyncDisposable, IDisposable
{
    private readonly Lock _gate = new();
    private readonly StreamWriter _writer;
    private string? _lastConnection;
    private bool _disposed;

    /// <summary>Opens <paramref name="path"/> for appending, creating its directory.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public CaptureWriter(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        Path = path;
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16), new UTF8Encoding(false)) { AutoFlush = false };
    }

    /// <summary>The capture file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void OnConnected(Uri url, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(url);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _lastConnection = url.OriginalString;
            _writer.Write(url.OriginalString);
            _writer.Write(" <-> ");
            _writer.Write(Seconds(timestamp));
            _writer.Write('\n');
            _writer.Flush();
        }
    }

    /// <inheritdoc />
    public void OnSent(Uri url, string payload, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(payload);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _writer.Write(url.OriginalString);
            _writer.Write(" <- ");
            _writer.Write(Seconds(timestamp));
            _writer.Write(": ");
            WriteOneLine(payload.AsSpan());
            _writer.Write('\n');
        }
    }

    /// <inheritdoc />
    public void OnReceived(Uri url, ReadOnlySpan<byte> payload, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(url);
        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(payload.Length));
        try
        {
            var count = Encoding.UTF8.GetChars(payload, chars);
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                // Received lines carry no URL: a frame belongs to the last connection line, so re-announce a
                // connection when frames of several connections interleave.
                if (!string.Equals(_lastConnection, url.OriginalString, StringComparison.Ordinal))
                {
                    _lastConnection = url.OriginalString;
                    _writer.Write(url.OriginalString);
                    _writer.Write(" <-> ");
                    _writer.Write(Seconds(timestamp));
                    _writer.Write('\n');
                }

                _writer.Write(Seconds(timestamp));
                _writer.Write(": ");
                WriteOneLine(chars.AsSpan(0, count));
                _writer.Write('\n');
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Writes buffered lines to the file.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _writer.Flush();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writer.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void WriteOneLine(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var breakAt = text.IndexOfAny('\n', '\r');
            if (breakAt < 0)
            {
                _writer.Write(text);
                return;
            }

            _writer.Write(text[..breakAt]);
            _writer.Write(' ');
            text = text[(breakAt + 1)..];
        }
    }

    private static string Seconds(long timestamp) =>
        (timestamp / 1000).ToString(CultureInfo.InvariantCulture) + "." + (timestamp % 1000).ToString("D3", CultureInfo.InvariantCulture);
}
