using Microsoft.Extensions.Configuration;

namespace Coinlake.Server;

/// <summary>
/// Reads <see cref="ServerOptions"/>: defaults, then the <c>--config</c> JSON file (section <c>Coinlake</c>, or the
/// file's top level), then environment variables prefixed <c>COINLAKE_</c> (<c>COINLAKE_JOBSTORE=Postgres</c>,
/// <c>COINLAKE_JOBSTORECONNECTIONSTRING=...</c>; <c>COINLAKE_API_KEY</c> sets <see cref="ServerOptions.ApiKey"/>).
/// Command-line flags are applied by the caller afterwards.
/// </summary>
public static class ServerOptionsLoader
{
    /// <summary>Loads the options.</summary>
    /// <param name="configFile">A JSON file, or null.</param>
    /// <param name="baseDirectory">Folder relative paths resolve against (the working directory).</param>
    /// <param name="getEnvironmentVariable">Environment lookup (tests pass their own).</param>
    /// <exception cref="FileNotFoundException">The config file does not exist.</exception>
    /// <exception cref="InvalidOperationException">The config file is not valid JSON or a value has the wrong type; the message names it.</exception>
    public static ServerOptions Load(string? configFile, string baseDirectory, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            var path = Path.GetFullPath(configFile, baseDirectory);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"config file '{path}' does not exist; give a JSON file such as {{\"Coinlake\": {{\"ApiKey\": \"...\"}}}}.", path);
            }

            builder.AddJsonFile(path, optional: false);
        }

        builder.AddEnvironmentVariables("COINLAKE_");
        IConfiguration configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"cannot read config file '{configFile}': {ex.Message}", ex);
        }

        var options = new ServerOptions { BaseDirectory = baseDirectory };
        var section = configuration.GetSection(ServerOptions.Section);
        try
        {
            (section.Exists() ? section : configuration).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"invalid setting in '{configFile ?? "the environment"}': {ex.Message}", ex);
        }

        options.BaseDirectory = baseDirectory;
        if (getEnvironmentVariable("COINLAKE_API_KEY") is { Length: > 0 } key)
        {
            options.ApiKey = key;
        }

        return options;
    }
}
