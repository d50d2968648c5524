using System.Globalization;
using Coinlake.Storage.Internal;
using Coinlake.Time;
using Coinlake.Trades;
using global::Parquet;
using global::Parquet.Data;
using global::Parquet.Schema;

namespace Coinlake.Storage.Parquet;

/// <summary>
/// The Parquet layout of trades: series columns <c>exchange symbol market_type</c> (UTF-8 strings), <c>trade_id</c>
/// (string), <c>timestamp</c> TIMESTAMP(MILLIS, isAdjustedToUTC=true), <c>price amount</c> DECIMAL(38,18), <c>cost</c>
/// DECIMAL(38,18) (price × amount rounded to 18 decimals, for queries; readers compute the exact cost from price and
/// amount), <c>side</c> nullable string (<c>buy</c>/<c>sell</c>); zstd, rows ordered by timestamp then trade id, file
/// metadata <c>coinlake.kind=trades</c>. Reading also accepts <c>trade_id</c> as INT64, <c>timestamp</c> as INT64 ms
/// and prices as double or string.
/// </summary>
internal sealed class ParquetTradeFormat : IRecordFileFormat<TradeSeriesKey, string, Trade>
{
    /// <summary>The column that marks a Parquet file as a trade file.</summary>
    public const string IdColumn = "trade_id";

    private static readonly DataField<string> ExchangeField = new("exchange");
    private static readonly DataField<string> SymbolField = new("symbol");
    private static readonly DataField<string> MarketTypeField = new("market_type");
    private static readonly DataField<string> IdField = new(IdColumn);
    private static readonly DateTimeDataField TimestampField = new("timestamp", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis);
    private static readonly DecimalDataField PriceField = new("price", ParquetCandleFormat.Precision, ParquetCandleFormat.Scale, clrType: typeof(BigDecimal));
    private static readonly DecimalDataField AmountField = new("amount", ParquetCandleFormat.Precision, ParquetCandleFormat.Scale, clrType: typeof(BigDecimal));
    private static readonly DecimalDataField CostField = new("cost", ParquetCandleFormat.Precision, ParquetCandleFormat.Scale, clrType: typeof(BigDecimal));
    private static readonly DataField<string> SideField = new("side");

    private static readonly ParquetSchema Schema = new(
        ExchangeField, SymbolField, MarketTypeField, IdField, TimestampField, PriceField, AmountField, CostField, SideField);

    /// <inheritdoc/>
    public string Name => "parquet";

    /// <inheritdoc/>
    public IComparer<Trade> Order => TradeText.Order;

    /// <inheritdoc/>
    public string KeyOf(in Trade record) => record.Id;

    /// <inheritdoc/>
    public long TimeOf(in Trade record) => record.Timestamp;

    /// <inheritdoc/>
    public void Validate(TradeSeriesKey series, in Trade record)
    {
        Check(series, record, record.Price, "price");
        Check(series, record, record.Amount, "amount");
        Check(series, record, decimal.Round(record.Cost, ParquetCandleFormat.Scale), "cost");
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(Stream stream, TradeSeriesKey series, IReadOnlyList<Trade> records, CancellationToken cancellationToken)
    {
        await using var writer = await ParquetWriter.CreateAsync(Schema, stream, ParquetCandleFormat.WriteOptions, cancellationToken: cancellationToken);
        writer.CustomMetadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["coinlake.kind"] = "trades", ["coinlake.series"] = series.ToString() };
        for (var start = 0; start < records.Count || start == 0; start += ParquetCandleFormat.RowGroupSize)
        {
            await WriteRowGroupAsync(writer, series, records, start, Math.Min(ParquetCandleFormat.RowGroupSize, records.Count - start), cancellationToken);
            if (records.Count == 0)
            {
                break;
            }
        }
    }

    /// <summary>The schema every Coinlake trade file has (monthly files and stream part files alike).</summary>
    internal static ParquetSchema FileSchema => Schema;

    /// <summary>Writes <paramref name="count"/> trades of <paramref name="series"/> from <paramref name="start"/> as one row group of <paramref name="writer"/>.</summary>
    internal static async ValueTask WriteRowGroupAsync(ParquetWriter writer, TradeSeriesKey series, IReadOnlyList<Trade> records, int start, int count, CancellationToken cancellationToken)
    {
        var columns = TradeSeriesColumns.Of(series);
        var n = count;
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(ExchangeField, ParquetCandleFormat.Repeat(columns.Exchange, n));
        await group.WriteAsync(SymbolField, ParquetCandleFormat.Repeat(columns.Symbol, n));
        await group.WriteAsync(MarketTypeField, ParquetCandleFormat.Repeat(columns.MarketType, n));
        var ids = new string[n];
        var times = new DateTime[n];
        var price = new BigDecimal[n];
        var amount = new BigDecimal[n];
        var cost = new BigDecimal[n];
        var side = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var t = records[start + i];
            ids[i] = t.Id;
            times[i] = DateTimeOffset.FromUnixTimeMilliseconds(t.Timestamp).UtcDateTime;
            price[i] = ParquetDecimals.ToBig(t.Price);
            amount[i] = ParquetDecimals.ToBig(t.Amount);
            cost[i] = ParquetDecimals.ToBig(decimal.Round(t.Cost, ParquetCandleFormat.Scale));
            side[i] = TradeText.Side(t.Side);
        }

        await group.WriteAsync(IdField, ids);
        await group.WriteAsync<DateTime>(TimestampField, times.AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<BigDecimal>(PriceField, price.AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<BigDecimal>(AmountField, amount.AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<BigDecimal>(CostField, cost.AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync(SideField, side);
        group.CompleteValidate();
    }

    /// <inheritdoc/>
    public async ValueTask<List<string>> ReadKeysAsync(string path, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(path, ParquetCandleFormat.ReadOptions, cancellationToken);
        var field = Find(reader, path, IdColumn);
        var ids = new List<string>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            ids.AddRange(await ReadIdsAsync(reader.OpenRowGroupReader(g), field, path, cancellationToken));
        }

        return ids;
    }

    /// <inheritdoc/>
    public async ValueTask<RecordFileRows<TradeSeriesKey, Trade>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(path, ParquetCandleFormat.ReadOptions, cancellationToken);
        var idField = Find(reader, path, IdColumn);
        var timeField = Find(reader, path, "timestamp");
        var priceField = Find(reader, path, "price");
        var amountField = Find(reader, path, "amount");
        var sideField = reader.Schema.DataFields.FirstOrDefault(f => f.Name == "side");
        var seriesFields = SeriesFields(reader);
        var trades = new List<Trade>();
        var rowSeries = seriesFields is null ? null : new List<TradeSeriesKey>();
        var keys = new Dictionary<TradeSeriesColumns, TradeSeriesKey>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            var ids = await ReadIdsAsync(group, idField, path, cancellationToken);
            var times = await ParquetCandleFormat.ReadTimesAsync(group, timeField, path, cancellationToken);
            var prices = await ParquetCandleFormat.ReadDecimalsAsync(group, priceField, n, path, cancellationToken);
            var amounts = await ParquetCandleFormat.ReadDecimalsAsync(group, amountField, n, path, cancellationToken);
            var sides = new string?[n];
            if (sideField is not null)
            {
                await group.ReadAsync(sideField, sides.AsMemory(), cancellationToken: cancellationToken);
            }

            var series = seriesFields is null ? null : await ReadSeriesColumnsAsync(group, seriesFields, n, cancellationToken);
            for (var i = 0; i < n; i++)
            {
                var where = string.Create(CultureInfo.InvariantCulture, $"{path} trade {ids[i]}");
                trades.Add(new Trade(
                    ids[i],
                    times[i],
                    prices[i] is { } p ? DecimalText.Normalize(p) : throw new InvalidDataException($"{where}: price is null."),
                    amounts[i] is { } a ? DecimalText.Normalize(a) : throw new InvalidDataException($"{where}: amount is null."),
                    TradeText.ParseSide(sides[i], where)));
                if (series is not null)
                {
                    var columns = new TradeSeriesColumns(series[0][i] ?? "", series[1][i] ?? "", series[2][i] ?? "");
                    if (!keys.TryGetValue(columns, out var key))
                    {
                        key = columns.ToKey(path);
                        keys[columns] = key;
                    }

                    rowSeries!.Add(key);
                }
            }
        }

        return new RecordFileRows<TradeSeriesKey, Trade>(trades, rowSeries);
    }

    /// <summary>True when the file at <paramref name="path"/> has a <c>trade_id</c> column (a trade file, not candles).</summary>
    public static async ValueTask<bool> IsTradeFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(path, ParquetCandleFormat.ReadOptions, cancellationToken);
        return reader.Schema.DataFields.Any(f => f.Name == IdColumn);
    }

    /// <summary>The distinct series in a trade file's series columns; null when it is not a trade file or has no series columns.</summary>
    public static async ValueTask<IReadOnlyList<TradeSeriesKey>?> ReadSeriesAsync(string path, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(path, ParquetCandleFormat.ReadOptions, cancellationToken);
        var fields = SeriesFields(reader);
        if (fields is null || reader.Schema.DataFields.All(f => f.Name != IdColumn))
        {
            return null;
        }

        var distinct = new HashSet<TradeSeriesColumns>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            var series = await ReadSeriesColumnsAsync(group, fields, n, cancellationToken);
            for (var i = 0; i < n; i++)
            {
                distinct.Add(new TradeSeriesColumns(series[0][i] ?? "", series[1][i] ?? "", series[2][i] ?? ""));
            }
        }

        return [.. distinct.Select(c => c.ToKey(path))];
    }

    private static DataField[]? SeriesFields(ParquetReader reader)
    {
        var fields = new[] { "exchange", "symbol", "market_type" }.Select(n => reader.Schema.DataFields.FirstOrDefault(f => f.Name == n)).ToArray();
        return fields.All(f => f is not null) ? fields.Select(f => f!).ToArray() : null;
    }

    private static async ValueTask<string?[][]> ReadSeriesColumnsAsync(ParquetRowGroupReader group, DataField[] fields, int n, CancellationToken cancellationToken)
    {
        var series = new string?[fields.Length][];
        for (var k = 0; k < fields.Length; k++)
        {
            series[k] = new string?[n];
            await group.ReadAsync(fields[k], series[k].AsMemory(), cancellationToken: cancellationToken);
        }

        return series;
    }

    private static async ValueTask<string[]> ReadIdsAsync(ParquetRowGroupReader group, DataField field, string path, CancellationToken cancellationToken)
    {
        var n = checked((int)group.RowCount);
        var result = new string[n];
        if (field.ClrType == typeof(long))
        {
            var values = await ParquetCandleFormat.ReadColumnAsync<long>(group, field, n, cancellationToken);
            for (var i = 0; i < n; i++)
            {
                result[i] = values[i] is { } id ? id.ToString(CultureInfo.InvariantCulture) : throw new InvalidDataException($"{path}: trade_id is null in row {i}.");
            }
        }
        else
        {
            var values = new string?[n];
            await group.ReadAsync(field, values.AsMemory(), cancellationToken: cancellationToken);
            for (var i = 0; i < n; i++)
            {
                result[i] = values[i] ?? throw new InvalidDataException($"{path}: trade_id is null in row {i}.");
            }
        }

        return result;
    }

    private static DataField Find(ParquetReader reader, string path, string name) =>
        reader.Schema.DataFields.FirstOrDefault(f => f.Name == name)
        ?? throw new InvalidDataException($"{path} has no '{name}' column; a trade file needs trade_id, timestamp, price and amount (it has {string.Join(", ", reader.Schema.DataFields.Select(f => f.Name))}).");

    private static void Check(TradeSeriesKey series, in Trade trade, decimal value, string column)
    {
        if (!DecimalText.FitsDecimal(value, ParquetCandleFormat.Precision - ParquetCandleFormat.Scale, ParquetCandleFormat.Scale))
        {
            throw new ArgumentException(
                $"{column} {DecimalText.Format(value)} of trade {trade.Id} of {series} at {TimeRange.FormatTime(trade.Timestamp)} does not fit Parquet DECIMAL({ParquetCandleFormat.Precision},{ParquetCandleFormat.Scale}): at most {ParquetCandleFormat.Precision - ParquetCandleFormat.Scale} integer digits and {ParquetCandleFormat.Scale} fractional digits are stored exactly. Use the SQLite, CSV or JSON sink for such values.",
                nameof(trade));
        }
    }
}
