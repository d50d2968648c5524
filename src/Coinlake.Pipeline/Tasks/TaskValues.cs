using System.Globalization;
using System.Text.RegularExpressions;

namespace Coinlake.Pipeline.Tasks;

/// <summary>Parsers for the scalar values of a task file (dates, durations, booleans, identifiers).</summary>
internal static partial class TaskValues
{
    /// <summary>The date forms accepted, as shown in error messages.</summary>
    public const string DateForms = "2024-01-01 (00:00 UTC), 2024-01-01T12:00:00Z or 2024-01-01 12:00 (UTC unless an offset such as +02:00 is given)";

    private static readonly string[] s_dateFormats = BuildDateFormats();

    /// <summary>
    /// Parses <c>yyyy-MM-dd</c> (midnight UTC) or a date and time separated by <c>T</c> or a space, with minutes,
    /// seconds or fractions, and an optional <c>Z</c> or <c>+hh:mm</c> offset (none = UTC). The result is UTC.
    /// </summary>
    public static bool TryParseDate(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(
            text.Trim(), s_dateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    /// <summary>
    /// Parses a duration: whole seconds (<c>300</c>) or a number with a unit <c>s m h d</c> (<c>90s</c>, <c>5m</c>,
    /// <c>2h</c>, <c>1d</c>). Zero means "no limit" and yields <see langword="null"/>.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan? value)
    {
        value = null;
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return false;
        }

        var seconds = match.Groups[2].Value switch
        {
            "" or "s" => count,
            "m" => count * 60,
            "h" => count * 3600,
            _ => count * 86400,
        };
        if (seconds > (long)TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        value = seconds == 0 ? null : TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>Parses YAML booleans: <c>true/false</c>, <c>yes/no</c>, <c>on/off</c>, case-insensitive.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "on" or "y":
                value = true;
                return true;
            case "false" or "no" or "off" or "n":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>True for YAML's null forms (empty, <c>~</c>, <c>null</c>) and Python's <c>None</c> (seed files use it).</summary>
    public static bool IsNull(string text) => text.Trim() is "" or "~" or "null" or "Null" or "NULL" or "None";

    /// <summary>A plain SQL identifier usable unquoted in SQLite: <c>[A-Za-z_][A-Za-z0-9_]*</c>, at most 64 characters, not <c>sqlite_*</c>.</summary>
    public static bool IsTableName(string text) =>
        IdentifierPattern().IsMatch(text) && !text.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase);

    /// <summary>A PostgreSQL connection string with its password as <c>***</c> (keyword <c>Password=</c>/<c>Pwd=</c> and URL <c>user:password@</c> forms).</summary>
    public static string RedactPassword(string connectionString) =>
        UrlPasswordPattern().Replace(PasswordKeywordPattern().Replace(connectionString, "$1***"), "$1***@");

    /// <summary>
    /// True when <paramref name="text"/> can be a PostgreSQL sink output: <c>env:NAME</c> with a valid variable name, a
    /// <c>postgres://</c>/<c>postgresql://</c> URL, or a keyword string of <c>key=value</c> pairs (checked fully when the sink opens).
    /// </summary>
    public static bool IsPostgresOutput(string text) =>
        text.StartsWith("env:", StringComparison.OrdinalIgnoreCase)
            ? EnvironmentNamePattern().IsMatch(text[4..].Trim())
            : text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
              || text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(p => p.IndexOf('=', StringComparison.Ordinal) > 0);

    /// <summary>A task name: letters, digits, <c>_ . -</c>, starting with a letter or digit, at most 100 characters.</summary>
    public static bool IsTaskName(string text) => TaskNamePattern().IsMatch(text);

    private static string[] BuildDateFormats()
    {
        var formats = new List<string> { "yyyy-MM-dd" };
        foreach (var separator in new[] { "'T'", " " })
        {
            foreach (var time in new[] { "HH:mm", "HH:mm:ss", "HH:mm:ss.FFFFFFF" })
            {
                formats.Add($"yyyy-MM-dd{separator}{time}");
                formats.Add($"yyyy-MM-dd{separator}{time}K");
                formats.Add($"yyyy-MM-dd{separator}{time} K");
            }
        }

        return [.. formats];
    }

    [GeneratedRegex("^([0-9]{1,12})([smhd]?)$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"((?:^|;)\s*(?:Password|Pwd)\s*=\s*)[^;]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordKeywordPattern();

    [GeneratedRegex("(://[^:/@]*:)[^@]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPasswordPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvironmentNamePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex TaskNamePattern();
}
