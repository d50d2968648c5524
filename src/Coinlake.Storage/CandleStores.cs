using Coinlake.Storage.Csv;
using Coinlake.Storage.Json;
using Coinlake.Storage.Parquet;
using Coinlake.Storage.Postgres;
using Coinlake.Storage.Sqlite;

namespace Coinlake.Storage;

/// <summary>Opens any candle store Coinlake writes (or a user's candle file) for reading, e.g. for <c>coinlake audit</c>.</summary>
public static class CandleStores
{
    /// <summary>
    /// A reader for <paramref name="path"/>: a SQLite database (<c>.db</c>, <c>.sqlite</c>, <c>.sqlite3</c>; the
    /// <c>candles</c> table or <see cref="ReaderHints.Table"/>), a Parquet file or a folder of Parquet files, or a
    /// CSV or JSON file (also <c>.gz</c>). Files without series columns get their series from the sidecar or the
    /// file name, with <paramref name="hints"/> overriding. A PostgreSQL connection string (<c>postgres://...</c>,
    /// <c>Host=...;Database=...</c> or <c>env:NAME</c>) opens the PostgreSQL store (the <c>candles</c> table or
    /// <see cref="ReaderHints.Table"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="ArgumentException">An unsupported file type, or a folder without Parquet files; the message lists what is supported.</exception>
    public static ICandleReader OpenReader(string path, ReaderHints? hints = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (PostgresConnection.LooksLikeConnectionString(path))
        {
            return new PostgresCandleSink(PostgresConnection.Resolve(path), new PostgresStoreOptions { CandleTable = hints?.Table ?? "candles" });
        }

        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            if (!Directory.EnumerateFiles(full, "*.parquet", SearchOption.AllDirectories).Any())
            {
                throw new ArgumentException($"The folder {full} holds no .parquet files; pass a .parquet folder, or a .db/.sqlite, .parquet, .csv or .json file.", nameof(path));
            }

            return new ParquetCandleReader(full, hints);
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"No candle store at {full}.", full);
        }

        var name = full.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? full[..^3] : full;
        return Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".db" or ".sqlite" or ".sqlite3" => new SqliteCandleReader(full, hints?.Table),
            ".parquet" => new ParquetCandleReader(full, hints),
            ".csv" => new CsvCandleReader(full, hints),
            ".json" => new JsonCandleReader(full, hints),
            var other => throw new ArgumentException(
                $"Cannot read candles from '{full}' ({(other.Length == 0 ? "no extension" : other)}); Coinlake reads .db/.sqlite/.sqlite3, .parquet (file or folder), .csv and .json (also .csv.gz, .json.gz).",
                nameof(path)),
        };
    }
}
