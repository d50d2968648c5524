using Coinlake.Exchanges;
using Coinlake.Pipeline.Tasks;

namespace Coinlake.Server;

/// <summary>Task-file options of the server: the exchanges the registry wires.</summary>
internal static class ServerTaskFiles
{
    public static TaskFileOptions Options() => new() { KnownExchanges = ExchangeRegistry.KnownExchanges.ToHashSet(StringComparer.Ordinal) };
}
