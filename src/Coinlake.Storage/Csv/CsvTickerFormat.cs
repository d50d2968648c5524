using System.Globalization;
using Coinlake.Markets;
using Coinlake.Storage.Internal;
using Coinlake.Tickers;
using Coinlake.Time;
using CsvHelper;

namespace Coinlake.Storage.Csv;

/// <summary>The series of a ticker file: every symbol of one exchange and market type.</summary>
/// <param name="Exchange">Lower-case exchange id.</param>
/// <param name="MarketType">Spot, swap or future.</param>
internal sealed record TickerSeries(string Exchange, MarketType MarketType)
{
    /// <summary>E.g. <c>binance spot tickers</c>.</summary>
    public override string ToString() => $"{Exchange} {MarketType.ToName()} tickers";

    /// <summary>The parts a path template renders.</summary>
    public PathParts Parts => new(Exchange, null, MarketType, null, null);
}

/// <summary>
/// The CSV layout of ticker snapshots: header
/// <c>exchange,symbol,market_type,timestamp,datetime,last,bid,ask,high,low,open,base_volume,quote_volume,change,change_percent</c>;
/// timestamp in ms UTC, datetime ISO-8601 UTC, decimals in invariant text exactly as held, empty fields for missing
/// values. Rows are keyed by (symbol, timestamp); new snapshots are appended to the end of an existing file.
/// </summary>
internal sealed class CsvTickerFormat : IRecordFileFormat<TickerSeries, (string Symbol, long Timestamp), Ticker>
{
    private static readonly string[] Header =
        ["exchange", "symbol", "market_type", "timestamp", "datetime", "last", "bid", "ask", "high", "low", "open", "base_volume", "quote_volume", "change", "change_percent"];

    private static readonly Comparer<Ticker> ByTimeThenSymbol = Comparer<Ticker>.Create(static (a, b) =>
    {
        var c = a.Timestamp.CompareTo(b.Timestamp);
        return c != 0 ? c : string.CompareOrdinal(a.Symbol.ToString(), b.Symbol.ToString());
    });

    /// <inheritdoc/>
    public string Name => "csv";

    /// <inheritdoc/>
    public IComparer<Ticker> Order => ByTimeThenSymbol;

    /// <inheritdoc/>
    public bool CanAppend => true;

    /// <inheritdoc/>
    public (string Symbol, long Timestamp) KeyOf(in Ticker record) => (record.Symbol.ToString(), record.Timestamp);

    /// <inheritdoc/>
    public long TimeOf(in Ticker record) => record.Timestamp;

    /// <inheritdoc/>
    public void Validate(TickerSeries series, in Ticker record)
    {
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(Stream stream, TickerSeries series, IReadOnlyList<Ticker> records, CancellationToken cancellationToken) =>
        WriteRowsAsync(stream, series, records, header: true, cancellationToken);

    /// <inheritdoc/>
    public ValueTask AppendAsync(Stream stream, TickerSeries series, IReadOnlyList<Ticker> records, CancellationToken cancellationToken) =>
        WriteRowsAsync(stream, series, records, header: false, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<List<(string Symbol, long Timestamp)>> ReadKeysAsync(string path, CancellationToken cancellationToken) =>
        [.. (await ReadAsync(path, cancellationToken)).Records.Select(t => (t.Symbol.ToString(), t.Timestamp))];

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The file does not start with the Coinlake ticker header, or a value is bad; the message gives the record.</exception>
    public async ValueTask<RecordFileRows<TickerSeries, Ticker>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var csv = CsvReader.Create(
            TimeText.OpenRead(path),
            new CsvReaderOptions { HasHeader = false, Separator = ',', TrimWhitespace = true, FormatProvider = CultureInfo.InvariantCulture },
            leaveOpen: false);
        var tickers = new List<Ticker>();
        var rowSeries = new List<TickerSeries>();
        var first = true;
        TickerSeries? last = null;
        while (await csv.ReadAsync(cancellationToken))
        {
            var record = new string[csv.FieldCount];
            for (var k = 0; k < record.Length; k++)
            {
                record[k] = csv.GetString(k);
            }

            var where = string.Create(CultureInfo.InvariantCulture, $"{path} record {csv.RowNumber}");
            if (first)
            {
                first = false;
                if (!record.SequenceEqual(Header, StringComparer.Ordinal))
                {
                    throw new InvalidDataException($"{where}: a Coinlake ticker CSV starts with the header {string.Join(",", Header)}.");
                }

                continue;
            }

            if (record.Length == 0 || (record.Length == 1 && record[0].Length == 0))
            {
                continue;
            }

            if (record.Length != Header.Length)
            {
                throw new InvalidDataException($"{where}: expected {Header.Length} fields, found {record.Length} (a torn last line after a crash can be deleted).");
            }

            if (!MarketNames.TryParseMarketType(record[2], out var marketType))
            {
                throw new InvalidDataException($"{where}: market_type '{record[2]}' is not spot, swap or future.");
            }

            if (last is null || last.Exchange != record[0] || last.MarketType != marketType)
            {
                last = new TickerSeries(record[0], marketType);
            }

            var symbol = Symbol.TryParse(record[1], out var s) ? s : throw new InvalidDataException($"{where}: symbol '{record[1]}' is not a unified symbol such as BTC/USDT.");
            tickers.Add(new Ticker(
                symbol,
                TimeText.Parse(record[3], where),
                Dec(record[5], where),
                Dec(record[6], where),
                Dec(record[7], where),
                Dec(record[8], where),
                Dec(record[9], where),
                Dec(record[10], where),
                Dec(record[11], where),
                Dec(record[12], where),
                Dec(record[13], where),
                Dec(record[14], where)));
            rowSeries.Add(last);
        }

        return new RecordFileRows<TickerSeries, Ticker>(tickers, rowSeries);
    }

    private static async ValueTask WriteRowsAsync(Stream stream, TickerSeries series, IReadOnlyList<Ticker> records, bool header, CancellationToken cancellationToken)
    {
        await using var csv = CsvWriter.Create(stream, new CsvWriterOptions { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true);
        if (header)
        {
            foreach (var name in Header)
            {
                csv.WriteField(name);
            }

            await csv.EndRecordAsync(cancellationToken);
        }

        var market = series.MarketType.ToName();
        foreach (var t in records)
        {
            csv.WriteField(series.Exchange);
            csv.WriteField(t.Symbol.ToString());
            csv.WriteField(market);
            csv.WriteField(t.Timestamp.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(TimeRange.FormatTime(t.Timestamp));
            foreach (var v in (ReadOnlySpan<decimal?>)[t.Last, t.Bid, t.Ask, t.High, t.Low, t.Open, t.BaseVolume, t.QuoteVolume, t.Change, t.ChangePercent])
            {
                csv.WriteField(v is { } d ? DecimalText.Format(d) : "");
            }

            await csv.EndRecordAsync(cancellationToken);
        }

        await csv.FlushAsync(cancellationToken);
    }

    private static decimal? Dec(string text, string where) => text.Length == 0 ? null : DecimalText.Parse(text, where);
}
