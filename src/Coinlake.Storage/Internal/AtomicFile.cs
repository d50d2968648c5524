namespace Coinlake.Storage.Internal;

/// <summary>
/// Writes a file atomically: the content goes to a temporary file in the same folder
/// (<c>.&lt;name&gt;.&lt;random&gt;.tmp</c>), is flushed to disk, then renamed over the target, so a reader sees
/// either the old file or the new one, never half a file, and a failed write leaves the old file intact.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Suffix of temporary files; readers skip them.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>True for the temporary files this class creates.</summary>
    public static bool IsTemp(string path)
    {
        var name = Path.GetFileName(path);
        return name.StartsWith('.') && name.EndsWith(TempSuffix, StringComparison.Ordinal);
    }

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, creating its folder when missing.</summary>
    /// <exception cref="IOException">The folder or file cannot be written.</exception>
    public static async ValueTask WriteAsync(string path, Func<Stream, CancellationToken, ValueTask> write, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await write(stream, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file is skipped by readers.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
