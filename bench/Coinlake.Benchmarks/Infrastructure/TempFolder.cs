namespace Coinlake.Benchmarks.Infrastructure;

/// <summary>A uniquely named folder under the system temp folder, deleted (with its content) on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    /// <summary>Creates <c>$TMPDIR/coinlake-bench-&lt;prefix&gt;-&lt;guid&gt;</c>.</summary>
    /// <param name="prefix">Short name of the user, e.g. <c>sqlite</c>.</param>
    public TempFolder(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"coinlake-bench-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary>Deletes every file in the folder and recreates it empty.</summary>
    public void Clear()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }

        Directory.CreateDirectory(Path);
    }

    /// <summary>Deletes the folder; a file still open elsewhere is left behind rather than failing the run.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
