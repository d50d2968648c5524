using System.Globalization;

namespace Coinlake.Pipeline.Tasks;

/// <summary>The keys of live ticker alerts (<c>alert_percent alert_window alert_table</c>) and of Parquet part rotation (<c>rotate rotate_rows</c>).</summary>
internal sealed partial class TaskFileReader
{
    /// <summary>
    /// <c>alert_percent</c> (a positive percentage such as <c>1.0</c>), <c>alert_window</c> (a duration, default 60 s) and
    /// <c>alert_table</c> (a SQLite table, default <c>alerts</c>): only on <c>mode: stream</c> + <c>stream: tickers</c>
    /// tasks, and the window and table only with a percentage.
    /// </summary>
    private TickerAlertSettings? ReadAlerts(Fields fields, TaskMode mode, bool modeValid, string? stream)
    {
        var keys = new[] { TaskKeys.AlertPercent, TaskKeys.AlertWindow, TaskKeys.AlertTable };
        if (!keys.Any(fields.ContainsKey))
        {
            return null;
        }

        if (modeValid && (mode != TaskMode.Stream || stream != "tickers"))
        {
            foreach (var key in keys.Where(fields.ContainsKey))
            {
                var field = fields[key];
                Error(field.Key, $"'{field.Written}' applies to live ticker streams; add 'mode: stream' and 'stream: tickers', or remove it.");
            }

            return null;
        }

        decimal? percent = null;
        if (Optional(fields, TaskKeys.AlertPercent) is { } percentText)
        {
            var field = fields[TaskKeys.AlertPercent];
            var trimmed = percentText.Trim().TrimEnd('%').TrimEnd();
            if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var p) || p <= 0)
            {
                Error(field.Value, $"'{percentText}' is not an alert threshold; write a positive percentage such as 1.0 (alert when the last price moves more than 1 % within 'alert_window').");
            }
            else
            {
                percent = p;
            }
        }
        else if (fields.TryGetValue(TaskKeys.AlertPercent, out var empty))
        {
            Error(empty.Key, $"'{empty.Written}' has no value; write a positive percentage such as 1.0.");
        }

        var window = TickerAlertSettings.DefaultWindow;
        if (fields.TryGetValue(TaskKeys.AlertWindow, out var windowField))
        {
            if (!TryText(windowField, out var text) || text is null || !TaskValues.TryParseDuration(text, out var parsed) || parsed is not { } w)
            {
                Error(windowField.Value, $"'{(text is null ? "" : text)}' is not an alert window; write whole seconds (60) or a number with a unit (90s, 5m), more than 0.");
            }
            else
            {
                window = w;
            }
        }

        var table = TickerAlertSettings.DefaultTable;
        if (fields.TryGetValue(TaskKeys.AlertTable, out var tableField))
        {
            if (!TryText(tableField, out var text) || text is null || !TaskValues.IsTableName(text.Trim()))
            {
                Error(tableField.Value, $"'{text}' is not a SQLite table name for alerts; use letters, digits and '_' (not starting with a digit or 'sqlite_'), e.g. alerts.");
            }
            else
            {
                table = text.Trim();
            }
        }

        if (!fields.ContainsKey(TaskKeys.AlertPercent))
        {
            foreach (var key in new[] { TaskKeys.AlertWindow, TaskKeys.AlertTable }.Where(fields.ContainsKey))
            {
                var field = fields[key];
                Error(field.Key, $"'{field.Written}' has no effect without 'alert_percent'; add e.g. 'alert_percent: 1.0' or remove '{field.Written}'.");
            }
        }

        return percent is { } value ? new TickerAlertSettings(value, window, table) : null;
    }

    /// <summary><c>rotate</c> (a duration, default 1 h) and <c>rotate_rows</c> (a positive row count): stream tasks only.</summary>
    private PartRotation ReadRotation(Fields fields, TaskMode mode, bool modeValid)
    {
        var rotation = PartRotation.Default;
        var keys = new[] { TaskKeys.Rotate, TaskKeys.RotateRows };
        if (!keys.Any(fields.ContainsKey))
        {
            return rotation;
        }

        if (modeValid && mode != TaskMode.Stream)
        {
            foreach (var key in keys.Where(fields.ContainsKey))
            {
                var field = fields[key];
                Error(field.Key, $"'{field.Written}' applies to stream tasks (it rotates the Parquet part files a stream appends to); a rest task writes monthly files directly. Remove '{field.Written}' or add 'mode: stream'.");
            }

            return rotation;
        }

        if (fields.TryGetValue(TaskKeys.Rotate, out var rotateField))
        {
            if (!TryText(rotateField, out var text) || text is null || !TaskValues.TryParseDuration(text, out var parsed) || parsed is not { } every)
            {
                Error(rotateField.Value, $"'{text}' is not a rotation period; write a duration such as 15m, 1h or 1d (whole seconds also work), more than 0.");
            }
            else
            {
                rotation = rotation with { Every = every };
            }
        }

        if (fields.TryGetValue(TaskKeys.RotateRows, out var rowsField))
        {
            if (!TryText(rowsField, out var text) || text is null
                || !long.TryParse(text.Trim().Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var rows) || rows <= 0)
            {
                Error(rowsField.Value, $"'{text}' is not a row count; write a positive whole number such as 1000000 (a part is closed once it holds that many rows).");
            }
            else
            {
                rotation = rotation with { MaxRows = rows };
            }
        }

        return rotation;
    }
}
