using System.Globalization;
using Coinlake.Storage.Internal;
using Coinlake.Time;
using Coinlake.Trades;
using CsvHelper;

namespace Coinlake.Storage.Csv;

/// <summary>
/// The CSV layout of trades (CsvHelper): header <c>timestamp,datetime,trade_id,side,price,amount,cost</c>;
/// <c>timestamp</c> in ms since the epoch (UTC), <c>datetime</c> ISO-8601 UTC for people, <c>side</c> <c>buy</c>/<c>sell</c>
/// or empty, decimals in invariant text exactly as held, <c>cost</c> = price × amount exactly. Reading accepts any
/// column order, aliases (<c>id</c>, <c>time</c>, <c>qty</c>/<c>volume</c>/<c>size</c>), ISO or integer (ms, or seconds
/// below 1e11) times, exponent decimals, a headerless file in the order above, and <c>.csv.gz</c>.
/// </summary>
internal sealed class CsvTradeFormat : IRecordFileFormat<TradeSeriesKey, string, Trade>
{
    private static readonly string[] Header = ["timestamp", "datetime", "trade_id", "side", "price", "amount", "cost"];

    /// <inheritdoc/>
    public string Name => "csv";

    /// <inheritdoc/>
    public IComparer<Trade> Order => TradeText.Order;

    /// <inheritdoc/>
    public string KeyOf(in Trade record) => record.Id;

    /// <inheritdoc/>
    public long TimeOf(in Trade record) => record.Timestamp;

    /// <inheritdoc/>
    public void Validate(TradeSeriesKey series, in Trade record)
    {
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(Stream stream, TradeSeriesKey series, IReadOnlyList<Trade> records, CancellationToken cancellationToken)
    {
        await using var csv = CsvWriter.Create(stream, new CsvWriterOptions { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true);
        foreach (var name in Header)
        {
            csv.WriteField(name);
        }

        await csv.EndRecordAsync(cancellationToken);
        foreach (var t in records)
        {
            csv.WriteField(t.Timestamp.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(TimeRange.FormatTime(t.Timestamp));
            csv.WriteField(t.Id);
            csv.WriteField(TradeText.Side(t.Side) ?? "");
            csv.WriteField(DecimalText.Format(t.Price));
            csv.WriteField(DecimalText.Format(t.Amount));
            csv.WriteField(DecimalText.Format(t.Cost));
            await csv.EndRecordAsync(cancellationToken);
        }

        await csv.FlushAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<List<string>> ReadKeysAsync(string path, CancellationToken cancellationToken) =>
        [.. (await ReadAsync(path, cancellationToken)).Records.Select(t => t.Id)];

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">A header without trade_id, timestamp, price or amount, or a bad value; the message gives the record.</exception>
    public async ValueTask<RecordFileRows<TradeSeriesKey, Trade>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var csv = CsvReader.Create(
            TimeText.OpenRead(path),
            new CsvReaderOptions { HasHeader = false, Separator = ',', TrimWhitespace = true, FormatProvider = CultureInfo.InvariantCulture },
            leaveOpen: false);
        var trades = new List<Trade>();
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

                columns = [0, 2, 3, 4, 5];
            }

            if (record.Length == 0 || (record.Length == 1 && record[0].Length == 0))
            {
                continue;
            }

            var where = string.Create(CultureInfo.InvariantCulture, $"{path} record {csv.RowNumber}");
            trades.Add(new Trade(
                Field(record, columns[1], where, "trade_id"),
                TimeText.Parse(Field(record, columns[0], where, "timestamp"), where),
                DecimalText.Parse(Field(record, columns[3], where, "price"), where),
                DecimalText.Parse(Field(record, columns[4], where, "amount"), where),
                TradeText.ParseSide(columns[2] >= 0 && columns[2] < record.Length ? record[columns[2]] : null, where)));
        }

        return new RecordFileRows<TradeSeriesKey, Trade>(trades, null);
    }

    /// <summary>Column indexes of timestamp, trade_id, side (-1 when absent), price, amount; null when the record is not a header.</summary>
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
                ? throw new InvalidDataException($"{path}: the header has no '{aliases[0]}' column (it has {string.Join(",", record)}); a trade CSV needs timestamp,trade_id,price,amount (side optional).")
                : -1;
        }

        return
        [
            Find(true, "timestamp", "time", "ts", "datetime", "date"),
            Find(true, "trade_id", "id", "tradeid", "trade id"),
            Find(false, "side", "taker_side"),
            Find(true, "price", "px", "p"),
            Find(true, "amount", "qty", "quantity", "size", "volume", "sz"),
        ];
    }

    private static string Field(string[] record, int index, string where, string name) =>
        index < record.Length && record[index].Length > 0 ? record[index] : throw new InvalidDataException($"{where}: {name} is missing.");
}
