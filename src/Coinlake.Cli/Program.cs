using Coinlake.Cli.Commands;

namespace Coinlake.Cli;

/// <summary>Entry point of the <c>coinlake</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line; see <see cref="CoinlakeCli"/>.</summary>
    public static Task<int> Main(string[] args) => CoinlakeCli.RunAsync(args, new Hosting.CliContext());
}
