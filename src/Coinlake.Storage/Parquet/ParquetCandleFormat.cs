using System.Globalization;
using Coinlake.Candles;
using Coinlake.Storage.Internal;
using Coinlake.Time;
using global::Parquet;
using global::Parquet.Data;
using global::Parquet.Schema;

namespace Coinlake.Storage.Parquet;

/// <summary>
/// The Parquet layout of candles: series columns <c>exchange symbol market_type timeframe price</c> (UTF-8 strings),
/// <c>open_time</c> TIMESTAMP(MILLIS, isAdjustedToUTC=true), <c>open high low close volume</c> DECIMAL(38,18),
/// <c>quote_volume</c> nullable DECIMAL(38,18), <c>trade_count</c> nullable INT64; zstd compression, row groups of at
/// most <see cref="RowGroupSize"/> rows. Reading also accepts files from other tools: <c>open_time</c> as any
/// timestamp or INT64 ms, prices as decimal, double or string, no series columns.
/// </summary>
internal sealed class ParquetCandleFormat : ICandleFileFormat
{
    /// <summary>Decimal precision: 38 digits, the most Parquet's DECIMAL stores in 16 bytes and DuckDB/Arrow read.</summary>
    public const int Precision = 38;

    /// <summary>Decimal scale: 18 fractional digits (wei precision; exchanges send at most 8-12).</summary>
    public const int Scale = 18;

    /// <summary>Rows per row group.</summary>
    public const int RowGroupSize = 1_000_000;

    private static readonly DataField<string> ExchangeField = new("exchange");
    private static readonly DataField<string> SymbolField = new("symbol");
    private static readonly DataField<string> MarketTypeField = new("market_type");
    private static readonly DataField<string> TimeframeField = new("timeframe");
    private static readonly DataField<string> PriceField = new("price");
    private static readonly DateTimeDataField OpenTimeField = new("open_time", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis);
    private static readonly DecimalDataField OpenField = new("open", Precision, Scale, clrType: typeof(BigDecimal));
    private static readonly DecimalDataField HighField = new("high", Precision, Scale, clrType: typeof(BigDecimal));
    private static readonly DecimalDataField LowField = new("low", Precision, Scale, clrType: typeof(BigDecimal));
    private static readonly DecimalDataField CloseField = new("close", Precision, Scale, clrType: typeof(BigDecimal));
    private static readonly DecimalDataField VolumeField = new("volume", Precision, Scale, clrType: typeof(BigDecimal));
    private static readonly DecimalDataField QuoteVolumeField = new("quote_volume", Precision, Scale, isNullable: true, clrType: typeof(BigDecimal));
    private static readonly DataField<long?> TradeCountField = new("trade_count");

    private static readonly ParquetSchema Schema = new(
        ExchangeField, SymbolField, MarketTypeField, TimeframeField, PriceField, OpenTimeField,
        OpenField, HighField, LowField, CloseField, VolumeField, QuoteVolumeField, TradeCountField);

    internal static readonly ParquetOptions ReadOptions = new() { UseBigDecimal = true };

    internal static readonly ParquetOptions WriteOptions = new() { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = System.IO.Compression.CompressionLevel.Optimal };

    /// <inheritdoc/>
    public string Name => "parquet";

    /// <inheritdoc/>
    public void Validate(SeriesKey series, in Candle candle)
    {
        Check(series, candle, candle.Open, "open");
        Check(series, candle, candle.High, "high");
        Check(series, candle, candle.Low, "low");
        Check(series, candle, candle.Close, "close");
        Check(series, candle, candle.Volume, "volume");
        if (candle.QuoteVolume is { } qv)
        {
            Check(series, candle, qv, "quote_volume");
        }
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(Stream stream, SeriesKey series, IReadOnlyList<Candle> candles, CancellationToken cancellationToken)
    {
        await using var writer = await ParquetWriter.CreateAsync(Schema, stream, WriteOptions, cancellationToken: cancellationToken);
        writer.CustomMetadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["coinlake.series"] = series.ToString() };
        for (var start = 0; start < candles.Count || start == 0; start += RowGroupSize)
        {
            await WriteRowGroupAsync(writer, series, candles, start, Math.Min(RowGroupSize, candles.Count - start), cancellationToken);
            if (candles.Count == 0)
            {
                break;
            }
        }
    }

    /// <summary>The schema every Coinlake candle file has (monthly files and stream part files alike).</summary>
    internal static ParquetSchema FileSchema => Schema;

    /// <summary>Writes <paramref name="count"/> candles of <paramref name="series"/> from <paramref name="start"/> as one row group of <paramref name="writer"/>.</summary>
    internal static async ValueTask WriteRowGroupAsync(ParquetWriter writer, SeriesKey series, IReadOnlyList<Candle> candles, int start, int count, CancellationToken cancellationToken)
    {
        var columns = SeriesColumns.Of(series);
        var n = count;
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(ExchangeField, Repeat(columns.Exchange, n));
        await group.WriteAsync(SymbolField, Repeat(columns.Symbol, n));
        await group.WriteAsync(MarketTypeField, Repeat(columns.MarketType, n));
        await group.WriteAsync(TimeframeField, Repeat(columns.Timeframe, n));
        await group.WriteAsync(PriceField, Repeat(columns.Price, n));
        var times = new DateTime[n];
        var open = new BigDecimal[n];
        var high = new BigDecimal[n];
        var low = new BigDecimal[n];
        var close = new BigDecimal[n];
        var volume = new BigDecimal[n];
        var quoteVolume = new BigDecimal?[n];
        var trades = new long?[n];
        for (var i = 0; i < n; i++)
        {
            var c = candles[start + i];
            times[i] = DateTimeOffset.FromUnixTimeMilliseconds(c.OpenTime).UtcDateTime;
            open[i] = ParquetDecimals.ToBig(c.Open);
            high[i] = ParquetDecimals.ToBig(c.High);
            low[i] = ParquetDecimals.ToBig(c.Low);
            close[i] = ParquetDecimals.ToBig(c.Close);
            volume[i] = ParquetDecimals.ToBig(c.Volume);
            quoteVolume[i] = c.QuoteVolume is { } qv ? ParquetDecimals.ToBig(qv) : null;
            trades[i] = c.TradeCount;
        }

        await group.WriteAsync<DateTime>(OpenTimeField, times.AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<BigDecimal>(OpenField, open.AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<BigDecimal>(HighField, high.AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<BigDecimal>(LowField, low.AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<BigDecimal>(CloseField, close.AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<BigDecimal>(VolumeField, volume.AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<BigDecimal>(QuoteVolumeField, quoteVolume.AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<long>(TradeCountField, trades.AsMemory(), cancellationToken: cancellationToken);
        group.CompleteValidate();
    }

    /// <inheritdoc/>
    public async ValueTask<List<long>> ReadOpenTimesAsync(string path, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(path, ReadOptions, cancellationToken);
        var field = Find(reader, path, "open_time");
        var times = new List<long>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            times.AddRange(await ReadTimesAsync(group, field, path, cancellationToken));
        }

        return times;
    }

    /// <inheritdoc/>
    public async ValueTask<CandleFileRows> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(path, ReadOptions, cancellationToken);
        var timeField = Find(reader, path, "open_time");
        var fields = new[] { "open", "high", "low", "close", "volume" }.Select(n => Find(reader, path, n)).ToArray();
        var quoteVolumeField = reader.Schema.DataFields.FirstOrDefault(f => f.Name == "quote_volume");
        var tradesField = reader.Schema.DataFields.FirstOrDefault(f => f.Name == "trade_count");
        var seriesFields = new[] { "exchange", "symbol", "market_type", "timeframe", "price" }
            .Select(n => reader.Schema.DataFields.FirstOrDefault(f => f.Name == n)).ToArray();
        var hasSeries = seriesFields.All(f => f is not null);
        var candles = new List<Candle>();
        var rowSeries = hasSeries ? new List<SeriesKey>() : null;
        var keys = new Dictionary<SeriesColumns, SeriesKey>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            var times = await ReadTimesAsync(group, timeField, path, cancellationToken);
            var values = new decimal?[5][];
            for (var k = 0; k < 5; k++)
            {
                values[k] = await ReadDecimalsAsync(group, fields[k], n, path, cancellationToken);
            }

            var quoteVolume = quoteVolumeField is null ? new decimal?[n] : await ReadDecimalsAsync(group, quoteVolumeField, n, path, cancellationToken);
            var trades = tradesField is null ? new long?[n] : await ReadLongsAsync(group, tradesField, n, path, cancellationToken);
            string?[][]? series = null;
            if (hasSeries)
            {
                series = new string?[5][];
                for (var k = 0; k < 5; k++)
                {
                    series[k] = new string?[n];
                    await group.ReadAsync(seriesFields[k]!, series[k].AsMemory(), cancellationToken: cancellationToken);
                }
            }

            for (var i = 0; i < n; i++)
            {
                candles.Add(new Candle(
                    times[i],
                    Required(values[0][i], path, "open", times[i]),
                    Required(values[1][i], path, "high", times[i]),
                    Required(values[2][i], path, "low", times[i]),
                    Required(values[3][i], path, "close", times[i]),
                    Required(values[4][i], path, "volume", times[i]),
                    quoteVolume[i] is { } qv ? DecimalText.Normalize(qv) : null,
                    trades[i]));
                if (series is not null)
                {
                    var columns = new SeriesColumns(series[0][i] ?? "", series[1][i] ?? "", series[2][i] ?? "", series[3][i] ?? "", series[4][i] ?? "");
                    if (!keys.TryGetValue(columns, out var key))
                    {
                        key = columns.ToKey(path);
                        keys[columns] = key;
                    }

                    rowSeries!.Add(key);
                }
            }
        }

        return new CandleFileRows(candles, rowSeries);
    }

    /// <summary>The distinct series in the file's series columns, or null when it has none.</summary>
    public static async ValueTask<IReadOnlyList<SeriesKey>?> ReadSeriesAsync(string path, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(path, ReadOptions, cancellationToken);
        var seriesFields = new[] { "exchange", "symbol", "market_type", "timeframe", "price" }
            .Select(n => reader.Schema.DataFields.FirstOrDefault(f => f.Name == n)).ToArray();
        if (seriesFields.Any(f => f is null))
        {
            return null;
        }

        var distinct = new HashSet<SeriesColumns>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            var series = new string?[5][];
            for (var k = 0; k < 5; k++)
            {
                series[k] = new string?[n];
                await group.ReadAsync(seriesFields[k]!, series[k].AsMemory(), cancellationToken: cancellationToken);
            }

            for (var i = 0; i < n; i++)
            {
                distinct.Add(new SeriesColumns(series[0][i] ?? "", series[1][i] ?? "", series[2][i] ?? "", series[3][i] ?? "", series[4][i] ?? ""));
            }
        }

        return [.. distinct.Select(c => c.ToKey(path))];
    }

    private static void Check(SeriesKey series, in Candle candle, decimal value, string column)
    {
        if (!DecimalText.FitsDecimal(value, Precision - Scale, Scale))
        {
            throw new ArgumentException(
                $"{column} {DecimalText.Format(value)} of {series} at {TimeRange.FormatTime(candle.OpenTime)} does not fit Parquet DECIMAL({Precision},{Scale}): at most {Precision - Scale} integer digits and {Scale} fractional digits are stored exactly. Use the SQLite, CSV or JSON sink for such values.",
                nameof(candle));
        }
    }

    internal static string[] Repeat(string value, int n)
    {
        var a = new string[n];
        Array.Fill(a, value);
        return a;
    }

    private static DataField Find(ParquetReader reader, string path, string name) =>
        reader.Schema.DataFields.FirstOrDefault(f => f.Name == name)
        ?? throw new InvalidDataException($"{path} has no '{name}' column; a candle file needs open_time, open, high, low, close and volume (it has {string.Join(", ", reader.Schema.DataFields.Select(f => f.Name))}).");

    private static decimal Required(decimal? value, string path, string column, long time) =>
        value is { } v ? DecimalText.Normalize(v) : throw new InvalidDataException($"{path}: {column} is null at {TimeRange.FormatTime(time)}.");

    internal static async ValueTask<long[]> ReadTimesAsync(ParquetRowGroupReader group, DataField field, string path, CancellationToken cancellationToken)
    {
        var n = checked((int)group.RowCount);
        var result = new long[n];
        if (field.ClrType == typeof(DateTime))
        {
            var values = await ReadColumnAsync<DateTime>(group, field, n, cancellationToken);
            for (var i = 0; i < n; i++)
            {
                var v = values[i] ?? throw new InvalidDataException($"{path}: {field.Name} is null in row {i}.");
                result[i] = new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
            }
        }
        else if (field.ClrType == typeof(long))
        {
            var values = await ReadColumnAsync<long>(group, field, n, cancellationToken);
            for (var i = 0; i < n; i++)
            {
                result[i] = values[i] ?? throw new InvalidDataException($"{path}: {field.Name} is null in row {i}.");
            }
        }
        else
        {
            throw new InvalidDataException($"{path}: {field.Name} is {field.ClrType.Name}; expected a TIMESTAMP or INT64 milliseconds since the epoch (UTC).");
        }

        return result;
    }

    internal static async ValueTask<decimal?[]> ReadDecimalsAsync(ParquetRowGroupReader group, DataField field, int n, string path, CancellationToken cancellationToken)
    {
        var result = new decimal?[n];
        var type = field.ClrType;
        if (type == typeof(BigDecimal))
        {
            var values = await ReadColumnAsync<BigDecimal>(group, field, n, cancellationToken);
            for (var i = 0; i < n; i++)
            {
                result[i] = values[i] is { } d ? ParquetDecimals.ToDecimal(d, path, field.Name) : null;
            }
        }
        else if (type == typeof(decimal))
        {
            result = await ReadColumnAsync<decimal>(group, field, n, cancellationToken);
        }
        else if (type == typeof(double))
        {
            var values = await ReadColumnAsync<double>(group, field, n, cancellationToken);
            for (var i = 0; i < n; i++)
            {
                result[i] = values[i] is { } d ? (decimal)d : null;
            }
        }
        else if (type == typeof(float))
        {
            var values = await ReadColumnAsync<float>(group, field, n, cancellationToken);
            for (var i = 0; i < n; i++)
            {
                result[i] = values[i] is { } d ? (decimal)d : null;
            }
        }
        else if (type == typeof(long))
        {
            var values = await ReadColumnAsync<long>(group, field, n, cancellationToken);
            for (var i = 0; i < n; i++)
            {
                result[i] = values[i];
            }
        }
        else if (type == typeof(string))
        {
            var values = new string?[n];
            await group.ReadAsync(field, values.AsMemory(), cancellationToken: cancellationToken);
            for (var i = 0; i < n; i++)
            {
                result[i] = values[i] is { } s ? DecimalText.Parse(s, string.Create(CultureInfo.InvariantCulture, $"{path} {field.Name} row {i}")) : null;
            }
        }
        else
        {
            throw new InvalidDataException($"{path}: column {field.Name} is {type.Name}; expected DECIMAL, DOUBLE, INT64 or a decimal string.");
        }

        return result;
    }

    internal static async ValueTask<long?[]> ReadLongsAsync(ParquetRowGroupReader group, DataField field, int n, string path, CancellationToken cancellationToken)
    {
        var result = new long?[n];
        if (field.ClrType == typeof(long))
        {
            result = await ReadColumnAsync<long>(group, field, n, cancellationToken);
        }
        else if (field.ClrType == typeof(int))
        {
            var values = await ReadColumnAsync<int>(group, field, n, cancellationToken);
            for (var i = 0; i < n; i++)
            {
                result[i] = values[i];
            }
        }
        else
        {
            throw new InvalidDataException($"{path}: column {field.Name} is {field.ClrType.Name}; expected INT64.");
        }

        return result;
    }

    internal static async ValueTask<T?[]> ReadColumnAsync<T>(ParquetRowGroupReader group, DataField field, int n, CancellationToken cancellationToken)
        where T : struct
    {
        var result = new T?[n];
        if (field.IsNullable)
        {
            await group.ReadAsync<T>(field, result.AsMemory(), cancellationToken: cancellationToken);
            return result;
        }

        var values = new T[n];
        await group.ReadAsync<T>(field, values.AsMemory(), cancellationToken: cancellationToken);
        for (var i = 0; i < n; i++)
        {
            result[i] = values[i];
        }

        return result;
    }
}
