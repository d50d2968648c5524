using BenchmarkDotNet.Running;
using Coinlake.Benchmarks.EndToEnd;

// `replay ...` runs the stream replay throughput/latency benchmark, `api ...` the /api/candles benchmark, `e2e-exchanges ...` runs the per-exchange backfill benchmark, `e2e ...` runs the end-to-end backfill benchmark, `e2e-server ...` is its fake server child process; anything else
// goes to BenchmarkDotNet (e.g. `--filter '*KlineParse*' --job short`).
return args switch
{
    ["e2e", .. var rest] => await BackfillBench.RunAsync(rest),
    ["e2e-exchanges", .. var rest] => await ExchangesBench.RunAsync(rest),
    ["replay", .. var rest] => await ReplayBench.RunAsync(rest),
    ["api", .. var rest] => await ApiCandlesBench.RunAsync(rest),
    [FakeServerProcess.Verb, .. var rest] => await FakeServerProcess.RunChildAsync(rest),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(BackfillBench).Assembly).Run(args);
    return 0;
}
