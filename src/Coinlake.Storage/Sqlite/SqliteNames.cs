using System.Text.RegularExpressions;

namespace Coinlake.Storage.Sqlite;

/// <summary>SQL identifiers used by the SQLite sink.</summary>
public static partial class SqliteNames
{
    /// <summary>Table of known-empty ranges, shared by every candle table of the database (keyed by candle_table).</summary>
    public const string EmptyRangesTable = "coinlake_empty_ranges";

    /// <summary>Throws unless <paramref name="table"/> is a plain identifier: a letter or <c>_</c>, then up to 62 letters, digits or <c>_</c>.</summary>
    /// <exception cref="ArgumentException">Anything else (spaces, quotes, dots, dashes, too long ...).</exception>
    public static string ValidateTable(string? table)
    {
        if (table is null || !Identifier().IsMatch(table))
        {
            throw new ArgumentException(
                $"'{table}' is not a valid table name: use a letter or '_' followed by up to 62 letters, digits or '_' (e.g. candles, candles_1m).",
                nameof(table));
        }

        if (string.Equals(table, EmptyRangesTable, StringComparison.OrdinalIgnoreCase) || table.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{table}' is reserved; choose another candle table name (e.g. candles).", nameof(table));
        }

        return table;
    }

    /// <summary>The identifier quoted for SQL (<c>"candles"</c>); only for names that passed <see cref="ValidateTable"/>.</summary>
    internal static string Quote(string identifier) => "\"" + identifier + "\"";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
