using Coinlake.Exchanges.WebSockets;
using Coinlake.Testing;

namespace Coinlake.Exchanges.Tests.Kraken.Socket;

/// <summary>
/// A <see cref="CaptureHttpHandler"/> over the recorded REST answers of a capture's <c>.0</c> file. cryptofeed wrote a
/// <c>configuration: {...}</c> line into every <c>.0</c> file, which <see cref="CaptureReader"/> rejects, so only the
/// <c>URL -&gt; T: BODY</c> lines are handed over, through a temporary file outside the repository.
/// </summary>
internal static class RecordedMarkets
{
    public static async Task<CaptureHttpHandler> LoadAsync(string file)
    {
        var temp = Path.Combine(Path.GetTempPath(), $"coinlake-{Guid.NewGuid():N}-{file}");
        try
        {
            await File.WriteAllLinesAsync(temp, File.ReadLines(TestData.PathOf("captures/" + file)).Where(l => l.Contains(" -> ", StringComparison.Ordinal)));
            return await CaptureHttpHandler.LoadAsync([temp]);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
