using System.Globalization;
using System.Text;
using Coinlake.Candles;
using Coinlake.Storage.Internal;
using Coinlake.Time;
using CsvHelper;

namespace Coinlake.Storage.Csv;

/// <summary>
/// The CSV layout of candles (CsvHelper): header <c>open_time,open,high,low,close,volume,quote_volume,trade_count</c>,
/// <c>open_time</c> in ISO-8601 UTC (<c>2023-03-01T00:00:00Z</c>), decimals in invariant text exactly as held
/// (<c>23140.48000000</c> stays), empty fields for missing quote volume and trade count. Reading accepts any column
/// order, missing optional columns, pandas times (<c>2023-03-01 00:00:00+00:00</c>), integer ms, exponent decimals
/// (<c>5.4e-05</c>), files without a header (columns in the order above) and <c>.csv.gz</c>.
/// </summary>
internal sealed class CsvCandleFormat : ICandleFileFormat
{
    private static readonly string[] Header = ["open_time", "open", "high", "low", "close", "volume", "quote_volume", "trade_count"];

    /// <inheritdoc/>
    public string Name => "csv";

    /// <inheritdoc/>
    public void Validate(SeriesKey series, in Candle candle)
    {
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(Stream stream, SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken)
    {
        await using var csv = CsvWriter.Create(stream, new CsvWriterOptions { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true);
        foreach (var name in Header)
        {
            csv.WriteField(name);
        }

        await csv.EndRecordAsync(cancellationToken);
        foreach (var c in candles)
        {
            csv.WriteField(TimeRange.FormatTime(c.OpenTime));
            csv.WriteField(DecimalText.Format(c.Open));
            csv.WriteField(DecimalText.Format(c.High));
            csv.WriteField(DecimalText.Format(c.Low));
            csv.WriteField(DecimalText.Format(c.Close));
            csv.WriteField(DecimalText.Format(c.Volume));
            csv.WriteField(c.QuoteVolume is { } qv ? DecimalText.Format(qv) : "");
            csv.WriteField(c.TradeCount is { } n ? n.ToString(CultureInfo.InvariantCulture) : "");
            await csv.EndRecordAsync(cancellationToken);
        }

        await csv.FlushAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<List<long>> ReadOpenTimesAsync(string path, CancellationToken cancellationToken) =>
        [.. (await ReadAsync(path, cancellationToken)).Candles.Select(c => c.OpenTime)];

    /// <inheritdoc/>
    public async ValueTask<CandleFileRows> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var csv = CsvReader.Create(
            TimeText.OpenRead(path),
            new CsvReaderOptions { HasHeader = false, Separator = ',', TrimWhitespace = true, FormatProvider = CultureInfo.InvariantCulture },
            leaveOpen: false);
        var candles = new List<Candle>();
        int[]? columns = null;
        while (await csv.ReadAsync(cancellationToken))
        {
            var record = new string[csv.FieldCount];
            for (var k = 0; k < record.Length; k++)
            {
                record[k] = csv.GetString(k);
            }

            if (columns is null)
            {
                columns = MapHeader(record, path);
                if (columns is not null)
                {
                    continue;
                }

                columns = [0, 1, 2, 3, 4, 5, record.Length > 6 ? 6 : -1, record.Length > 7 ? 7 : -1];
            }

            if (record.Length == 0 || (record.Length == 1 && record[0].Length == 0))
            {
                continue;
            }

            var row = csv.RowNumber;
            candles.Add(new Candle(
                TimeText.Parse(Field(record, columns[0], path, row, "open_time"), Where(path, row)),
                Dec(Field(record, columns[1], path, row, "open"), path, row),
                Dec(Field(record, columns[2], path, row, "high"), path, row),
                Dec(Field(record, columns[3], path, row, "low"), path, row),
                Dec(Field(record, columns[4], path, row, "close"), path, row),
                Dec(Field(record, columns[5], path, row, "volume"), path, row),
                Optional(record, columns[6]) is { } qv ? Dec(qv, path, row) : null,
                Optional(record, columns[7]) is { } n ? (long)Dec(n, path, row) : null));
        }

        return new CandleFileRows(candles, null);
    }

    private static int[]? MapHeader(string[] record, string path)
    {
        var names = record.Select(r => r.Trim().ToLowerInvariant()).ToArray();
        if (names.Length == 0 || names.All(n => n.Length == 0 || char.IsAsciiDigit(n[0])))
        {
            return null;
        }

        int Find(bool required, params string[] aliases)
        {
            for (var i = 0; i < names.Length; i++)
            {
                if (aliases.Contains(names[i], StringComparer.Ordinal))
                {
                    return i;
                }
            }

            return required
                ? throw new InvalidDataException($"{path}: the header has no '{aliases[0]}' column (it has {string.Join(",", record)}); a candle CSV needs open_time,open,high,low,close,volume.")
                : -1;
        }

        return
        [
            Find(true, "open_time", "timestamp", "time", "date", "datetime", "open_time_ms"),
            Find(true, "open", "o"),
            Find(true, "high", "h"),
            Find(true, "low", "l"),
            Find(true, "close", "c"),
            Find(true, "volume", "v", "base_volume"),
            Find(false, "quote_volume", "quote_asset_volume", "qv"),
            Find(false, "trade_count", "trades", "number_of_trades", "count"),
        ];
    }

    private static string Field(string[] record, int index, string path, long row, string name) =>
        index < record.Length && record[index].Length > 0 ? record[index] : throw new InvalidDataException($"{Where(path, row)}: {name} is missing.");

    private static decimal Dec(string text, string path, long row) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : DecimalText.Parse(text, Where(path, row));

    private static string Where(string path, long row) => string.Create(CultureInfo.InvariantCulture, $"{path} record {row}");

    private static string? Optional(string[] record, int index) =>
        index >= 0 && index < record.Length && record[index].Length > 0 ? record[index] : null;
}
