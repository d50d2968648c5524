using Coinlake.Cli.Hosting;
using Spectre.Console;

namespace Coinlake.Cli.Rendering;

/// <summary>Spectre consoles bound to a <see cref="CliContext"/>'s output.</summary>
internal static class Consoles
{
    public static IAnsiConsole For(CliContext context)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Out),
            Ansi = context.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = context.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = context.IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!context.IsTerminal)
        {
            // Logs and CI: never wrap report tables at 80 columns.
            console.Profile.Width = 240;
        }

        return console;
    }
}
