using Coinlake.Storage.Internal;
using Coinlake.Storage.Postgres;
using Coinlake.Storage.Sqlite;

namespace Coinlake.Storage;

/// <summary>Opens any trade store Coinlake writes (or a trade file from another tool) for reading, e.g. for <c>coinlake trades-to-ohlcv</c>.</summary>
public static class TradeStores
{
    /// <summary>
    /// A reader for <paramref name="path"/>: a SQLite database (<c>.db</c>, <c>.sqlite</c>, <c>.sqlite3</c>; the
    /// <c>trades</c> table or <see cref="ReaderHints.Table"/>), a folder written by the Parquet, CSV or JSON trade
    /// sinks (Parquet files with a <c>trade_id</c> column and files named <c>*_trades.csv|json</c>; candle files beside
    /// them are skipped), or one <c>.parquet</c>, <c>.csv</c> or <c>.json</c> trade file (also <c>.gz</c>; freqtrade's
    /// <c>XRP_ETH-trades.json.gz</c> included). Files without series columns get their series from the trade sidecar or
    /// the file name (<c>BTCUSDT_trades.csv</c>, <c>XRP_ETH-trades.json.gz</c>), with <paramref name="hints"/>
    /// (exchange, symbol, market type) filling in what the name does not say. A PostgreSQL connection string
    /// (<c>postgres://...</c>, <c>Host=...</c> or <c>env:NAME</c>) opens the PostgreSQL store (the <c>trades</c> table or
    /// <see cref="ReaderHints.Table"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="ArgumentException">An unsupported file type, or a folder without data files; the message lists what is supported.</exception>
    public static ITradeReader OpenReader(string path, ReaderHints? hints = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (PostgresConnection.LooksLikeConnectionString(path))
        {
            return new PostgresTradeSink(PostgresConnection.Resolve(path), new PostgresStoreOptions { TradeTable = hints?.Table ?? "trades" });
        }

        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            IEnumerable<string> Files() =>
                FileRecordStore<TradeSeriesKey, string, Trades.Trade>.EnumerateDataFiles(full, "")
                    .Where(f => TradeFileSetReader.FormatOf(f) is not null);
            if (!Files().Any())
            {
                throw new ArgumentException($"The folder {full} holds no .parquet, .csv or .json files; pass a trade folder, or a .db/.sqlite, .parquet, .csv or .json file.", nameof(path));
            }

            return new TradeFileSetReader(Files, new Sidecar(FileTradeStore.SidecarOf(full)), full, hints, explicitFiles: false);
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"No trade store at {full}.", full);
        }

        var name = full.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? full[..^3] : full;
        var extension = Path.GetExtension(name).ToLowerInvariant();
        if (extension is ".db" or ".sqlite" or ".sqlite3")
        {
            return new SqliteTradeReader(full, hints?.Table);
        }

        if (TradeFileSetReader.FormatOf(full) is not null)
        {
            // A file of a folder output has its series in the folder's trade sidecar.
            var folder = Path.GetDirectoryName(full)!;
            var useFolder = !File.Exists(Sidecar.ForFile(full)) && File.Exists(FileTradeStore.SidecarOf(folder));
            return new TradeFileSetReader(
                () => [full], new Sidecar(useFolder ? FileTradeStore.SidecarOf(folder) : Sidecar.ForFile(full)), useFolder ? folder : null, hints, explicitFiles: true);
        }

        throw new ArgumentException(
            $"Cannot read trades from '{full}' ({(extension.Length == 0 ? "no extension" : extension)}); Coinlake reads .db/.sqlite/.sqlite3, .parquet, .csv and .json (also .csv.gz, .json.gz) files and folders of them.",
            nameof(path));
    }
}
