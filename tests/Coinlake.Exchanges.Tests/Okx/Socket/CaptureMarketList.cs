using Coinlake.Exchanges.WebSockets;
using Coinlake.Testing;

namespace Coinlake.Exchanges.Tests.Okx.Socket;

/// <summary>
/// Loads the recorded REST answers of a capture's <c>.0</c> file into a <see cref="CaptureHttpHandler"/>. cryptofeed
/// writes a <c>configuration: {...}</c> line first, which <see cref="CaptureReader"/> rejects; the answers are copied to
/// a temporary file without it (outside the repository, deleted afterwards).
/// </summary>
internal static class CaptureMarketList
{
    public static async Task<CaptureHttpHandler> LoadAsync(string file)
    {
        var temp = Path.Combine(Path.GetTempPath(), $"coinlake-{Guid.NewGuid():N}-{file}");
        try
        {
            var lines = File.ReadLines(TestData.PathOf("captures/" + file))
                .Where(line => !line.StartsWith("configuration:", StringComparison.Ordinal));
            await File.WriteAllLinesAsync(temp, lines);
            return await CaptureHttpHandler.LoadAsync([temp]);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
