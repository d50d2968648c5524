using System.Globalization;
using System.Text.RegularExpressions;
using Coinlake.Storage.Internal;

namespace Coinlake.Storage.Parquet;

/// <summary>What a stream part file holds.</summary>
public enum PartKind
{
    /// <summary>Candles: <c>{task}.part-{yyyyMMdd_HHmmss}.parquet</c>.</summary>
    Candles,

    /// <summary>Trades: <c>{task}.trades.part-{yyyyMMdd_HHmmss}.parquet</c>.</summary>
    Trades,
}

/// <summary>One closed stream part file, as named by <see cref="PartFiles"/>.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Task">The task that wrote it.</param>
/// <param name="Kind">Candles or trades (from the name; compaction checks the columns).</param>
/// <param name="Opened">When the part was opened (its first row was accepted), UTC, whole seconds.</param>
/// <param name="Sequence">0, or n for the n-th extra part opened within the same second.</param>
public sealed record PartFile(string Path, string Task, PartKind Kind, DateTimeOffset Opened, int Sequence);

/// <summary>
/// Names of the rotating part files streams append to: <c>{task}.part-{yyyyMMdd_HHmmss}.parquet</c> (candles) and
/// <c>{task}.trades.part-{yyyyMMdd_HHmmss}.parquet</c> (trades), the time being when the part was opened (UTC); a second
/// part opened within the same second gets <c>-1</c>, <c>-2</c> ... before the extension. The open part is written as
/// <c>.{name}.tmp</c> (a temporary file every Coinlake reader skips) and renamed to its name once closed.
/// </summary>
public static partial class PartFiles
{
    /// <summary>The time format of part names.</summary>
    public const string StampFormat = "yyyyMMdd_HHmmss";

    /// <summary>The file name (no folder) of a part.</summary>
    public static string NameOf(string task, PartKind kind, DateTimeOffset opened, int sequence = 0)
    {
        var stamp = opened.UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture);
        var infix = kind == PartKind.Trades ? ".trades" : "";
        var suffix = sequence == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"-{sequence}");
        return $"{task}{infix}.part-{stamp}{suffix}.parquet";
    }

    /// <summary>The temporary name (no folder) of the open part whose final name is <paramref name="name"/>.</summary>
    public static string TempNameOf(string name) => "." + name + AtomicFile.TempSuffix;

    /// <summary>Parses a part's file name (no folder; a temporary name is not a part); null when it is not one.</summary>
    public static PartFile? TryParse(string path)
    {
        var match = PartName().Match(Path.GetFileName(path));
        if (!match.Success
            || !DateTime.TryParseExact(match.Groups["stamp"].Value, StampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var opened))
        {
            return null;
        }

        var sequence = match.Groups["seq"].Success ? int.Parse(match.Groups["seq"].Value, CultureInfo.InvariantCulture) : 0;
        var kind = match.Groups["kind"].Success ? PartKind.Trades : PartKind.Candles;
        return new PartFile(Path.GetFullPath(path), match.Groups["task"].Value, kind, new DateTimeOffset(opened, TimeSpan.Zero), sequence);
    }

    /// <summary>The closed parts directly in <paramref name="folder"/> (not its subfolders), oldest first (then by sequence and task).</summary>
    public static IReadOnlyList<PartFile> List(string folder) =>
        !Directory.Exists(folder)
            ? []
            : [.. Directory.EnumerateFiles(folder, "*.part-*.parquet", SearchOption.TopDirectoryOnly)
                .Select(TryParse)
                .OfType<PartFile>()
                .OrderBy(p => p.Opened)
                .ThenBy(p => p.Sequence)
                .ThenBy(p => p.Task, StringComparer.Ordinal)
                .ThenBy(p => p.Kind)];

    /// <summary>The temporary (open, or left by a crash) parts directly in <paramref name="folder"/>, with the final path each would be renamed to.</summary>
    public static IReadOnlyList<(string TempPath, string FinalPath)> ListTemporary(string folder) =>
        !Directory.Exists(folder)
            ? []
            : [.. Directory.EnumerateFiles(folder, ".*.part-*.parquet" + AtomicFile.TempSuffix, SearchOption.TopDirectoryOnly)
                .Select(t => (Temp: t, Name: Path.GetFileName(t)[1..^AtomicFile.TempSuffix.Length]))
                .Where(x => TryParse(x.Name) is not null)
                .Select(x => (x.Temp, Path.Combine(Path.GetDirectoryName(x.Temp)!, x.Name)))
                .Order()];

    /// <summary>
    /// Recovers the temporary part <paramref name="tempPath"/> left by a crash: when it is a readable Parquet file (its last
    /// completed write), renames it to <paramref name="finalPath"/> and returns true; otherwise leaves it and returns false.
    /// Only call it when no stream is writing the part.
    /// </summary>
    /// <exception cref="IOException"><paramref name="finalPath"/> already exists, or the rename failed.</exception>
    public static async ValueTask<bool> RecoverAsync(string tempPath, string finalPath, CancellationToken cancellationToken = default)
    {
        try
        {
            if (await ParquetTradeFormat.IsTradeFileAsync(tempPath, cancellationToken).ConfigureAwait(false))
            {
                await new ParquetTradeFormat().ReadAsync(tempPath, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await new ParquetCandleFormat().ReadAsync(tempPath, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or global::Parquet.ParquetException or NotSupportedException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            return false;
        }

        File.Move(tempPath, finalPath, overwrite: false);
        return true;
    }

    [GeneratedRegex(@"^(?<task>.+?)(?<kind>\.trades)?\.part-(?<stamp>[0-9]{8}_[0-9]{6})(?:-(?<seq>[0-9]{1,6}))?\.parquet$", RegexOptions.CultureInvariant)]
    private static partial Regex PartName();
}
