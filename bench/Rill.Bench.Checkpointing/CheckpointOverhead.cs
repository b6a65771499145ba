using System.Diagnostics;
using Rill.Api;
using Rill.EventTime;
using Rill.Runtime.Messages;
using Rill.Runtime.MiniCluster;
using Rill.Sinks;
using Rill.Sources;

namespace Rill.Bench.Checkpointing;

/// <summary>
/// checkpoint-overhead: the same keyed stateful job without checkpoints (baseline) and with a checkpoint every
/// interval, interleaved, each run in a fresh mini cluster. Throughput is counted in the keyed function over a fixed
/// window of wall-clock time after a warm-up, so neither start-up nor the end of input (a bounded checkpointed job
/// waits for a final checkpoint) is in it.
/// </summary>
public static class CheckpointOverhead
{
    private sealed record Run(string Mode, int IntervalMs, int Index, long Records, double Seconds, double CpuSeconds, double OthersCpuSeconds, long Stalls, double StallMs, double KeyedCpu, double SourceCpu, int Gen0, int Gen2,
        IReadOnlyList<CheckpointStatsEntry> Checkpoints, int FailedCheckpoints, int KeyedSubtasks)
    {
        public double RecordsPerSecond => Records / Seconds;

        /// <summary>The share of all cores the process got during the window.</summary>
        public double CpuShare => CpuSeconds / (Seconds * Environment.ProcessorCount);

        /// <summary>The share of all cores other processes used during the window (from /proc/stat).</summary>
        public double OthersShare => OthersCpuSeconds / (Seconds * Environment.ProcessorCount);

        /// <summary>Other processes left the machine (almost) alone: the run measures the engine, not its neighbors.</summary>
        public bool Clean => OthersShare <= MaxOthersShare;
    }

    private const double MaxOthersShare = 0.05;

    public static async Task<bool> RunAsync(BenchOptions options)
    {
        var interval = TimeSpan.FromMilliseconds(options.IntervalMs);
        Console.WriteLine($"checkpoint-overhead: DataGeneratorSource (unbounded, as fast as it goes) → keyBy(value % {options.Keys:N0}) → "
            + $"KeyedProcessFunction (ValueState<long> running count per key) → DiscardingSink, parallelism {options.Parallelism}, "
            + $"heap state backend, one TaskManager with {options.Parallelism} slots (mini cluster, in-memory exchange).");
        Console.WriteLine($"  A = no checkpoints (baseline), B = exactly-once checkpoint every {interval.TotalMilliseconds:0} ms to {options.CheckpointDirectory}.");
        Console.WriteLine($"  Each run: a fresh cluster, {options.WarmupSeconds:0.#} s warm-up after every subtask runs, then records counted in the keyed function over "
            + $"{options.MeasureSeconds:0.#} s. Order: {string.Join(" ", Enumerable.Repeat("A B", options.Runs))} (after one untimed warm-up run of each).");
        Console.WriteLine();

        if (options.SingleMode is { } single)
        {
            // Diagnostic (e.g. under perf): one run of one mode, no warm-up run, no verdict.
            var only = await RunOnceAsync(options, checkpointed: single == "B", 1);
            Print(only, null);
            return true;
        }

        var warmupOptions = options with { WarmupSeconds = 1, MeasureSeconds = 3 };
        await RunOnceAsync(warmupOptions, checkpointed: false, 0);
        await RunOnceAsync(warmupOptions, checkpointed: true, 0);

        var runs = new List<Run>();
        Console.WriteLine("| Mode | Run | Records/s | CPU s (share) | Others' CPU | Keyed / source threads busy | Keyed thread ns/record | Stalls > 1 ms (ms/s) | GC0/GC2 | Checkpoints | Sync ms med / max | Async ms med / max | End-to-end ms med / max | State size | B / A |");
        Console.WriteLine("|------|----:|----------:|--------------:|------------:|----------------------------:|-----------------------:|---------------------:|--------:|------------:|------------------:|-------------------:|------------------------:|-----------:|------:|");
        for (var i = 1; i <= options.Runs; i++)
        {
            var a = await RunOnceAsync(options, checkpointed: false, i);
            Print(a, null);
            runs.Add(a);
            var b = await RunOnceAsync(options, checkpointed: true, i);
            Print(b, a);
            runs.Add(b);
        }

        var baseline = runs.Where(r => r.Mode == "A").Select(r => r.RecordsPerSecond).ToList();
        var checkpointed = runs.Where(r => r.Mode == "B").Select(r => r.RecordsPerSecond).ToList();
        var ratio = Stats.Median(checkpointed) / Stats.Median(baseline);
        var all = runs.Where(r => r.Mode == "B").SelectMany(r => r.Checkpoints).ToList();
        var pairs = runs.Where(r => r.Mode == "B").Select(b => b.RecordsPerSecond / runs.Single(a => a.Mode == "A" && a.Index == b.Index).RecordsPerSecond).ToList();
        Console.WriteLine();
        Console.WriteLine($"Throughput, median (min–max) of {options.Runs}:");
        Console.WriteLine($"  A, no checkpoints:              {Stats.Rate(Stats.Median(baseline)),10}  ({Stats.Rate(baseline.Min())} – {Stats.Rate(baseline.Max())})");
        Console.WriteLine($"  B, checkpoint every {interval.TotalMilliseconds,5:0} ms:  {Stats.Rate(Stats.Median(checkpointed)),10}  ({Stats.Rate(checkpointed.Min())} – {Stats.Rate(checkpointed.Max())})");
        Console.WriteLine($"  B / A = {ratio:0.000}x   target >= 0.95x   {(ratio >= 0.95 ? "PASS" : "MISS")}   (pairs: {string.Join(" ", pairs.Select(p => p.ToString("0.00")))})");
        var pairMedian = Stats.Median(pairs);
        Console.WriteLine($"  median of the pair ratios = {pairMedian:0.000}x   (each B run against the A run just before it)");
        var clean = runs.Where(b => b.Mode == "B" && b.Clean && runs.Single(a => a.Mode == "A" && a.Index == b.Index).Clean).Select(b => b.Index).ToList();
        if (clean.Count > 0)
        {
            var cleanA = runs.Where(r => r.Mode == "A" && clean.Contains(r.Index)).Select(r => r.RecordsPerSecond).ToList();
            var cleanB = runs.Where(r => r.Mode == "B" && clean.Contains(r.Index)).Select(r => r.RecordsPerSecond).ToList();
            Console.WriteLine($"  pairs in which other processes used <= {MaxOthersShare:P0} of the cores in both runs: {clean.Count} of {options.Runs} ({string.Join(", ", clean)}); "
                + $"ratio of their medians = {Stats.Median(cleanB) / Stats.Median(cleanA):0.000}x ({Stats.Rate(Stats.Median(cleanB))} / {Stats.Rate(Stats.Median(cleanA))})");
        }
        else
        {
            Console.WriteLine($"  no pair in which other processes used <= {MaxOthersShare:P0} of the cores in both runs: the ratios above measure the neighbors too");
        }

        Console.WriteLine($"  keyed threads' stalls > 1 ms (median ms per second per thread): A {Stats.Median(runs.Where(r => r.Mode == "A").Select(r => r.StallMs / r.Seconds / r.KeyedSubtasks)):0.0}, "
            + $"B {Stats.Median(runs.Where(r => r.Mode == "B").Select(r => r.StallMs / r.Seconds / r.KeyedSubtasks)):0.0} (gaps between two looks at the clock, one every 64 records: alignment, sync snapshot, GC, waiting for a core)");
        Console.WriteLine($"  keyed threads' CPU per record (medians): A {Stats.Median(runs.Where(r => r.Mode == "A").Select(r => r.KeyedCpu * 1e9 / r.Records)):0} ns, "
            + $"B {Stats.Median(runs.Where(r => r.Mode == "B").Select(r => r.KeyedCpu * 1e9 / r.Records)):0} ns; keyed threads busy: "
            + $"A {Stats.Median(runs.Where(r => r.Mode == "A").Select(r => r.KeyedCpu / r.Seconds / r.KeyedSubtasks)):P0}, B {Stats.Median(runs.Where(r => r.Mode == "B").Select(r => r.KeyedCpu / r.Seconds / r.KeyedSubtasks)):P0}");
        var cpuA = Stats.Median(runs.Where(r => r.Mode == "A").Select(r => r.CpuSeconds * 1e9 / r.Records));
        var cpuB = Stats.Median(runs.Where(r => r.Mode == "B").Select(r => r.CpuSeconds * 1e9 / r.Records));
        Console.WriteLine($"  CPU per record (whole process, medians): A {cpuA:0} ns, B {cpuB:0} ns → records per CPU-second B / A = {cpuA / cpuB:0.000}x "
            + "(the same ratio with the CPU share the machine gave each run factored out)");
        Console.WriteLine($"Checkpoints of the B runs ({all.Count} completed in the windows, {runs.Sum(r => r.FailedCheckpoints)} failed): "
            + $"sync {CheckpointFigures.MedianMax(all.Select(c => c.SyncDurationMs).ToList())} ms, async {CheckpointFigures.MedianMax(all.Select(c => c.AsyncDurationMs).ToList())} ms, "
            + $"end-to-end {CheckpointFigures.MedianMax(all.Select(c => c.EndToEndDurationMs).ToList())} ms (median / max; sync and async are the slowest subtask's), "
            + $"state size {CheckpointFigures.Mb((long)Stats.Median(all.Select(c => (double)c.StateSize)))} ({all.Select(c => c.StateSize).DefaultIfEmpty().Min():N0}–{all.Select(c => c.StateSize).DefaultIfEmpty().Max():N0} bytes)");
        return runs.All(r => r.Mode == "A" || r.Checkpoints.Count > 0);
    }

    private static void Print(Run run, Run? baseline)
    {
        var c = run.Checkpoints;
        var mode = run.Mode == "A" ? "A (none)" : $"B ({run.IntervalMs} ms)";
        var subtasks = run.KeyedSubtasks;
        Console.WriteLine($"| {mode} | {run.Index} | {Stats.Rate(run.RecordsPerSecond)} | {run.CpuSeconds:0.0} ({run.CpuShare:P0}) | {run.OthersShare:P0} | "
            + $"{run.KeyedCpu / run.Seconds / subtasks:P0} / {run.SourceCpu / run.Seconds / subtasks:P0} | {run.KeyedCpu * 1e9 / run.Records:0} | "
            + $"{run.StallMs / run.Seconds / subtasks:0.0} | {run.Gen0}/{run.Gen2} | {(run.Mode == "A" ? "-" : $"{c.Count}{(run.FailedCheckpoints > 0 ? $" (+{run.FailedCheckpoints} failed)" : "")}")} | "
            + $"{CheckpointFigures.MedianMax(c.Select(x => x.SyncDurationMs).ToList())} | {CheckpointFigures.MedianMax(c.Select(x => x.AsyncDurationMs).ToList())} | "
            + $"{CheckpointFigures.MedianMax(c.Select(x => x.EndToEndDurationMs).ToList())} | {(c.Count == 0 ? "-" : CheckpointFigures.Mb(c[^1].StateSize))} | "
            + $"{(baseline is null ? "" : (run.RecordsPerSecond / baseline.RecordsPerSecond).ToString("0.00"))} |");
    }

    private static async Task<Run> RunOnceAsync(BenchOptions options, bool checkpointed, int index)
    {
        Probe.Reset();
        var directory = Path.Combine(options.CheckpointDirectory, $"overhead-{Guid.NewGuid():N}"[..21]);
        await using (var cluster = new MiniCluster(new MiniClusterConfiguration { NumberOfTaskManagers = 1, SlotsPerTaskManager = options.Parallelism }))
        {
            await cluster.StartAsync();
            var env = StreamExecutionEnvironment.GetExecutionEnvironment();
            env.SetParallelism(options.Parallelism);
            if (checkpointed)
            {
                env.EnableCheckpointing(TimeSpan.FromMilliseconds(options.IntervalMs));
                env.ConfigureCheckpointing(c => c with { Directory = directory });
            }

            var keys = options.Keys;
            env.FromSource(new DataGeneratorSource<long>(i => i, count: null), WatermarkStrategy<long>.NoWatermarks(), "Numbers").Uid("numbers")
                .KeyBy(v => (int)(v % keys))
                .Process(new CountPerKey()).Uid("count-per-key").Name("Count per key")
                .SinkTo(new DiscardingSink<long>(), "Discard").Uid("discard");
            var jobId = await cluster.Dispatcher.SubmitJobAsync(env.GetJobGraph($"checkpoint-overhead {(checkpointed ? "B" : "A")} #{index}"));
            var watcher = new CheckpointWatcher();
            await watcher.WaitForAsync(cluster, jobId, CheckpointWatcher.AllRunning, TimeSpan.FromSeconds(60), "every subtask to run");
            await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds));

            var (gen0, gen2) = (GC.CollectionCount(0), GC.CollectionCount(2));
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var machine0 = MachineCpu.BusySeconds();
            var threads0 = ThreadCpu.Snapshot();
            var records0 = Probe.TotalRecords;
            var stalls0 = Probe.TotalStalls;
            var t0 = Stopwatch.GetTimestamp();
            var wall0 = DateTimeOffset.UtcNow;
            var end = t0 + (long)(options.MeasureSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500, Math.Max(1, Probe.Ms(Stopwatch.GetTimestamp(), end)))));
                await watcher.PollAsync(cluster, jobId);
            }

            var records1 = Probe.TotalRecords;
            var stalls1 = Probe.TotalStalls;
            var t1 = Stopwatch.GetTimestamp();
            var wall1 = DateTimeOffset.UtcNow;
            var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
            var machine1 = MachineCpu.BusySeconds();
            var threads1 = ThreadCpu.Snapshot();
            var (gen0End, gen2End) = (GC.CollectionCount(0), GC.CollectionCount(2));

            // Checkpoints that completed later but were triggered in the window count too: one more look after the window.
            await Task.Delay(checkpointed ? Math.Min(options.IntervalMs, 2000) : 0);
            var details = await watcher.PollAsync(cluster, jobId);
            if (details.Status != JobStatus.Running)
            {
                throw new InvalidOperationException($"The job is {details.Status}: {string.Join(" | ", details.Exceptions.Select(e => e.Message))}");
            }

            await cluster.Dispatcher.CancelJobAsync(jobId);
            await cluster.Dispatcher.RequestJobResultAsync(jobId).WaitAsync(TimeSpan.FromSeconds(60));
            var inWindow = watcher.Completed.Where(c => c.TriggerTime >= wall0 && c.TriggerTime < wall1).ToList();
            var failed = watcher.Failed.Count(c => c.TriggerTime >= wall0 && c.TriggerTime < wall1);
            var keyed = details.Vertices.Single(v => v.Name.Contains("Count per key", StringComparison.Ordinal)).Parallelism;
            var run = new Run(checkpointed ? "B" : "A", options.IntervalMs, index, records1 - records0, Probe.Ms(t0, t1) / 1000.0, (cpu1 - cpu0).TotalSeconds,
                Math.Max(0, machine1 - machine0 - (cpu1 - cpu0).TotalSeconds),
                stalls1.Count - stalls0.Count, Probe.Ms(0, stalls1.Ticks - stalls0.Ticks),
                ThreadCpu.Between(threads0, threads1, "Count per key"), ThreadCpu.Between(threads0, threads1, "Numbers"),
                gen0End - gen0, gen2End - gen2, inWindow, failed, keyed);
            if (index == 0)
            {
                Console.WriteLine($"warm-up {run.Mode}: {Stats.Rate(run.RecordsPerSecond)}{(checkpointed ? $", {inWindow.Count} checkpoints" : "")}");
            }

            TryDelete(directory);
            return run;
        }
    }

    internal static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // a file still being written by a task of the canceled job; the temp directory is cleaned at the end
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
