using System.Collections.Concurrent;
using System.Globalization;
using Coinlake.Pipeline.Backfill;

namespace Coinlake.Cli.Rendering;

/// <summary>
/// Progress for non-terminal output (logs, CI, cron): one plain line per active series every interval, with
/// candles done / expected, rate and ETA.
/// </summary>
internal sealed class PlainProgress : IProgress<BackfillProgress>, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TextWriter _writer;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;

    public PlainProgress(TextWriter writer, TimeProvider time, TimeSpan interval)
    {
        _writer = writer;
        _time = time;
        _timer = time.CreateTimer(_ => Print(), null, interval, interval);
    }

    public void Report(BackfillProgress value)
    {
        var key = $"{value.Task} {value.Series}";
        var entry = _entries.GetOrAdd(key, _ => new Entry(_time.GetTimestamp()));
        entry.Last = value;
        entry.Dirty = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        Print();
    }

    private void Print()
    {
        foreach (var (key, entry) in _entries)
        {
            if (!entry.Dirty)
            {
                continue;
            }

            entry.Dirty = false;
            var p = entry.Last;
            var elapsed = _time.GetElapsedTime(entry.Started).TotalSeconds;
            var rate = elapsed > 0 ? p.Done / elapsed : 0;
            var eta = rate > 0 && p.Expected > p.Done ? TimeSpan.FromSeconds((p.Expected - p.Done) / rate) : TimeSpan.Zero;
            var percent = p.Expected == 0 ? 100 : 100.0 * p.Done / p.Expected;
            lock (_writer)
            {
                _writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"progress {key}: {p.Done:N0}/{p.Expected:N0} candles ({percent:F1}%), {rate:N0}/s, ETA {eta:hh\\:mm\\:ss}"));
                _writer.Flush();
            }
        }
    }

    private sealed class Entry(long started)
    {
        public long Started { get; } = started;

        public BackfillProgress Last { get; set; }

        public volatile bool Dirty;
    }
}
