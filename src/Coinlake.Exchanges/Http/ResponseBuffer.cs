using System.Buffers;

namespace Coinlake.Exchanges.Http;

/// <summary>
/// A response body read completely into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, so a page is parsed
/// from its bytes without intermediate strings. Dispose returns the buffer; use it once.
/// </summary>
internal sealed class ResponseBuffer : IDisposable
{
    private const int MinimumSize = 16 * 1024;
    private byte[] _buffer;

    private ResponseBuffer(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    /// <summary>Number of bytes read.</summary>
    public int Length { get; }

    /// <summary>The body bytes.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>
    /// Reads <paramref name="content"/> to its end. A connection closed before the declared length surfaces as
    /// <see cref="IOException"/> or <see cref="HttpRequestException"/> (transient: the caller retries).
    /// </summary>
    /// <exception cref="InvalidDataException">The body is longer than <paramref name="maxBytes"/>.</exception>
    public static async Task<ResponseBuffer> ReadAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        var size = declared is > 0 and < int.MaxValue ? (int)Math.Min(declared.Value + 1, maxBytes + 1L) : MinimumSize;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, MinimumSize));
        var length = 0;
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= maxBytes)
                        {
                            throw new InvalidDataException($"The response body exceeds {maxBytes} bytes.");
                        }

                        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1L));
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                }
            }

            return new ResponseBuffer(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
