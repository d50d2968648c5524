using Coinlake.Candles;

namespace Coinlake.Pipeline.Backfill;

/// <summary>Progress of one series' backfill, reported after every page written.</summary>
/// <param name="Task">Task name.</param>
/// <param name="Series">The series.</param>
/// <param name="Done">Candle slots settled so far (fetched, or proven empty) out of <paramref name="Expected"/>.</param>
/// <param name="Expected">Candle slots the missing ranges hold.</param>
/// <param name="Fetched">Candles received so far.</param>
public readonly record struct BackfillProgress(string Task, SeriesKey Series, long Done, long Expected, long Fetched);
