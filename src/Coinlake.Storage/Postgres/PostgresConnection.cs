using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Coinlake.Storage.Postgres;

/// <summary>
/// Connection strings of the PostgreSQL store: parsing (keyword form <c>Host=db;Port=5432;Database=coinlake;Username=u;Password=p</c>
/// or URL form <c>postgres://u:p@db:5432/coinlake?sslmode=require</c>), the <c>env:NAME</c> indirection task files use
/// so that secrets stay out of them, descriptions without the password, and one shared <see cref="NpgsqlDataSource"/>
/// (connection pool) per connection string for the whole process.
/// </summary>
public static partial class PostgresConnection
{
    /// <summary>Prefix of an output that names an environment variable holding the connection string: <c>env:COINLAKE_POSTGRES</c>.</summary>
    public const string EnvironmentPrefix = "env:";

    /// <summary>The variable a postgres sink reads when a task gives no <c>output</c>.</summary>
    public const string DefaultEnvironmentVariable = "COINLAKE_POSTGRES";

    private static readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> _sources = new(StringComparer.Ordinal);

    /// <summary>
    /// True when <paramref name="text"/> is meant as a PostgreSQL location rather than a file path: a
    /// <c>postgres://</c>/<c>postgresql://</c> URL, an <c>env:NAME</c> reference, or a keyword connection string
    /// containing <c>Host=</c> (any case).
    /// </summary>
    public static bool LooksLikeConnectionString(string? text) =>
        text is not null
        && (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
            || HostKeyword().IsMatch(text));

    /// <summary>
    /// Resolves an output as task files give it: <c>env:NAME</c> is replaced by the value of the environment variable
    /// <c>NAME</c>; anything else is returned as is.
    /// </summary>
    /// <param name="output">A connection string or <c>env:NAME</c>.</param>
    /// <param name="getEnvironmentVariable">Reads a variable; <see cref="Environment.GetEnvironmentVariable(string)"/> when null.</param>
    /// <exception cref="ArgumentException">Empty output, an invalid variable name, or the variable is not set (the message says what to set).</exception>
    public static string Resolve(string output, Func<string, string?>? getEnvironmentVariable = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        if (!output.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return output;
        }

        var name = output[EnvironmentPrefix.Length..].Trim();
        if (!VariableName().IsMatch(name))
        {
            throw new ArgumentException(
                $"'{output}' does not name an environment variable; write env: followed by a variable name, e.g. env:{DefaultEnvironmentVariable}.",
                nameof(output));
        }

        var value = (getEnvironmentVariable ?? Environment.GetEnvironmentVariable)(name);
        return string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException(
                $"The environment variable {name} (named by the postgres sink's output '{output}') is not set; set it to a PostgreSQL connection string such as Host=localhost;Database=coinlake;Username=coinlake;Password=... or postgres://user:password@host:5432/coinlake.",
                nameof(output))
            : value;
    }

    /// <summary>
    /// Parses and validates <paramref name="connectionString"/> (keyword or URL form) into Npgsql's builder.
    /// </summary>
    /// <exception cref="ArgumentException">Not a valid connection string, or no host (the message shows both accepted forms; it never repeats the password).</exception>
    public static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var text = connectionString.Trim();
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                ? FromUrl(text)
                : new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or KeyNotFoundException or InvalidCastException or OverflowException)
        {
            throw new ArgumentException(
                $"'{Redact(text)}' is not a valid PostgreSQL connection string ({e.Message}); write Host=localhost;Port=5432;Database=coinlake;Username=coinlake;Password=... or postgres://user:password@localhost:5432/coinlake.",
                nameof(connectionString),
                e);
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new ArgumentException(
                $"The PostgreSQL connection string '{Redact(text)}' has no Host; add one, e.g. Host=localhost;Port=5432;Database=coinlake;Username=coinlake, or use postgres://user:password@host:5432/coinlake.",
                nameof(connectionString));
        }

        return builder;
    }

    /// <summary>Where a connection string points, for logs and reports, without credentials: <c>localhost:5432/coinlake</c>.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username ?? "postgres"}");
    }

    /// <summary>The connection string with its password replaced by <c>***</c> (keyword and URL forms).</summary>
    public static string Redact(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var text = PasswordKeyword().Replace(connectionString, "$1***");
        return UrlPassword().Replace(text, "$1***@");
    }

    /// <summary>The process-wide data source (connection pool) of a connection string; created on first use, never disposed.</summary>
    internal static NpgsqlDataSource DataSource(string normalizedConnectionString) =>
        _sources.GetOrAdd(normalizedConnectionString, static cs => new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(cs))).Value;

    private static NpgsqlConnectionStringBuilder FromUrl(string text)
    {
        var uri = new Uri(text);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            builder[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = value;
        }

        return builder;
    }

    [GeneratedRegex(@"(?:^|;)\s*(?:Host|Server)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostKeyword();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex VariableName();

    [GeneratedRegex(@"((?:^|;)\s*(?:Password|Pwd)\s*=\s*)[^;]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordKeyword();

    [GeneratedRegex("(://[^:/@]*:)[^@]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();
}
