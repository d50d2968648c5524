using Cronos;

namespace Coinlake.Pipeline.Tasks;

/// <summary>
/// When a task runs under <c>coinlake serve</c>/<c>coinlake worker</c> (task-file keys <c>schedule</c> and
/// <c>timezone</c>): a standard cron expression evaluated in a time zone. <c>coinlake run</c> ignores it.
/// </summary>
/// <remarks>
/// <para>
/// The cron syntax is the classic Unix one (as Cronos parses it): five fields <c>minute hour day-of-month month
/// day-of-week</c> (<c>0 9 * * *</c> = every day at 09:00, <c>*/5 * * * *</c> = every 5 minutes,
/// <c>0 9 * * MON-FRI</c>), or a macro (<c>@hourly</c>, <c>@daily</c>/<c>@midnight</c>, <c>@weekly</c>,
/// <c>@monthly</c>, <c>@yearly</c>/<c>@annually</c>). Day of week 0 or 7 is Sunday. A schedule may
/// restrict the day of month or the day of week, not both (the job engine cannot express Unix cron's "either").
/// </para>
/// <para>The time zone is an IANA id (<c>Europe/Paris</c>, <c>America/New_York</c>) or <c>UTC</c> (the default).</para>
/// </remarks>
/// <param name="Cron">The cron expression as written (trimmed).</param>
/// <param name="TimeZone">The zone the expression's hours and days are read in.</param>
public sealed record TaskSchedule(string Cron, TimeZoneInfo TimeZone)
{
    private static readonly string[] s_macros = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

    /// <summary>The next fire time strictly after <paramref name="from"/>; <see langword="null"/> when there is none.</summary>
    /// <param name="from">The instant to search from.</param>
    /// <exception cref="FormatException"><see cref="Cron"/> is not a valid cron expression (only when built by hand).</exception>
    public DateTimeOffset? NextAfter(DateTimeOffset from)
    {
        if (TryParse(Cron, out var expression, out var error))
        {
            return expression.GetNextOccurrence(from, TimeZone);
        }

        throw new FormatException(error);
    }

    /// <summary>Parses a cron expression as <see cref="TaskSchedule"/> documents; <paramref name="error"/> says what is wrong and how to fix it.</summary>
    internal static bool TryParse(string cron, out CronExpression expression, out string error)
    {
        expression = null!;
        var text = cron.Trim();
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (text.StartsWith('@') && !s_macros.Contains(text.ToLowerInvariant()))
        {
            error = $"unknown schedule macro '{text}'; use one of {string.Join(", ", s_macros)}, or 5 cron fields such as '0 9 * * *'.";
            return false;
        }

        if (!text.StartsWith('@') && fields.Length != 5)
        {
            error = $"'{text}' has {fields.Length} field(s); a cron schedule has 5: minute hour day-of-month month day-of-week, e.g. '0 9 * * *' (09:00 every day) or '*/5 * * * *' (every 5 minutes).";
            return false;
        }

        try
        {
            expression = CronExpression.Parse(text, CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            error = $"'{text}' is not a cron schedule ({ex.Message.TrimEnd('.')}); write e.g. '0 9 * * *' (09:00 every day) or '*/5 * * * *' (every 5 minutes).";
            return false;
        }

        if (fields.Length == 5)
        {
            var dayOfMonth = fields[2];
            var dayOfWeek = fields[4];
            if (dayOfMonth is not ("*" or "?") && dayOfWeek is not ("*" or "?"))
            {
                error = $"'{text}' restricts both the day of month ({dayOfMonth}) and the day of week ({dayOfWeek}); restrict one and write '*' in the other.";
                return false;
            }
        }

        error = "";
        return true;
    }
}
