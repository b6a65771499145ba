using System.Diagnostics;
using Rill.Api;
using Rill.EventTime;
using Rill.Runtime.Messages;
using Rill.Runtime.MiniCluster;
using Rill.Runtime.Scheduler;
using Rill.Sinks;
using Rill.Sources;

namespace Rill.Bench.Checkpointing;

/// <summary>
/// rescale-pause: a reactive job with ~100 MB of keyed heap state runs on one TaskManager with 2 slots (p=2); once
/// every key has state and a checkpoint of it completed, a second TaskManager joins and the job rescales to p=4
/// (stop-with-savepoint, redeploy, restore). The pause is the first record processed by any subtask of the new
/// attempt minus the last record processed by any subtask of the old one, from the instrumented keyed function.
/// </summary>
public static class RescalePause
{
    private sealed record Result(
        int Repeat,
        double PauseMs,
        long SchedulerPauseMs,
        IReadOnlyList<CheckpointStatsEntry> Checkpoints,
        CheckpointStatsEntry? Savepoint,
        IReadOnlyList<(string Phase, double Ms)> Phases,
        IReadOnlyList<(double Ms, string Event)> Timeline,
        double PauseCpuSeconds,
        double OthersCpuSeconds,
        long NewKeysAfterRestore,
        string Rescale);

    public static async Task<bool> RunAsync(BenchOptions options, SchedulerLog log)
    {
        Console.WriteLine($"rescale-pause: DataGeneratorSource (unbounded, {(options.Rate > 0 ? $"{options.Rate:N0} records/s" : "as fast as it goes")}) → keyBy(value % {options.StateKeys:N0}) → "
            + "KeyedProcessFunction (ValueState<Features>: a 96-byte blittable running aggregate per key) → DiscardingSink, heap state backend.");
        Console.WriteLine($"  Reactive mode (ResourceStabilizationTimeout {options.StabilizationMs} ms, MinRescaleInterval 0), checkpoint every {options.RescaleIntervalMs} ms "
            + $"(min pause between checkpoints {options.MinPauseMs} ms) to {options.CheckpointDirectory}.");
        Console.WriteLine($"  1 TaskManager × 2 slots (p=2); once every key has state and {options.FullCheckpoints} checkpoints of the full state completed, a 2nd TaskManager joins → p=4.");
        Console.WriteLine("  Pause = first record processed by any subtask of the new attempt − last record processed by any subtask of the old one (instrumented keyed function).");
        Console.WriteLine();

        var results = new List<Result>();
        var ok = true;
        for (var repeat = 1; repeat <= options.Repeats; repeat++)
        {
            var result = await RunOnceAsync(options, log, repeat);
            results.Add(result);
            PrintOne(result);
            if (result.NewKeysAfterRestore != 0)
            {
                Console.WriteLine($"  WRONG: the new attempt found {result.NewKeysAfterRestore:N0} keys without state: the restore lost state.");
                ok = false;
            }
        }

        var pauses = results.Select(r => r.PauseMs).ToList();
        var scheduler = results.Select(r => (double)r.SchedulerPauseMs).ToList();
        var checkpoints = results.SelectMany(r => r.Checkpoints).ToList();
        var savepoints = results.Select(r => r.Savepoint).OfType<CheckpointStatsEntry>().ToList();
        var median = Stats.Median(pauses);
        Console.WriteLine();
        Console.WriteLine($"Rescale 2 → 4 with {options.StateKeys:N0} keys, median of {results.Count}:");
        Console.WriteLine($"  pause (last old record → first new record): {median:0} ms (runs: {string.Join(" ", pauses.Select(p => p.ToString("0")))})   target < 2000 ms   {(median < 2000 ? "PASS" : "MISS")}");
        Console.WriteLine($"  CPU used by the process during the pause: {Stats.Median(results.Select(r => r.PauseCpuSeconds)):0.00} s (runs: {string.Join(" ", results.Select(r => r.PauseCpuSeconds.ToString("0.00")))}; "
            + $"{Environment.ProcessorCount} cores; other processes used {Stats.Median(results.Select(r => r.OthersCpuSeconds)):0.00} s): the pause is CPU work, so it stretches with the CPU share other processes leave");
        Console.WriteLine($"  scheduler PauseMs (stop-with-savepoint triggered → new attempt deployed): {Stats.Median(scheduler):0} ms (runs: {string.Join(" ", scheduler.Select(p => p.ToString("0")))})");
        foreach (var phase in results[0].Phases.Select(p => p.Phase))
        {
            var values = results.Select(r => r.Phases.Single(p => p.Phase == phase).Ms).ToList();
            Console.WriteLine($"    {phase,-62} {Stats.Median(values),7:0} ms   (runs: {string.Join(" ", values.Select(v => v.ToString("0")))})");
        }

        Console.WriteLine($"  checkpoints of the full state (p=2, {checkpoints.Count}): size {CheckpointFigures.Mb((long)Stats.Median(checkpoints.Select(c => (double)c.StateSize)))}, "
            + $"sync {CheckpointFigures.MedianMax(checkpoints.Select(c => c.SyncDurationMs).ToList())} ms, async {CheckpointFigures.MedianMax(checkpoints.Select(c => c.AsyncDurationMs).ToList())} ms, "
            + $"end-to-end {CheckpointFigures.MedianMax(checkpoints.Select(c => c.EndToEndDurationMs).ToList())} ms (median / max; sync and async are the slowest subtask's)");
        if (savepoints.Count > 0)
        {
            Console.WriteLine($"  stop-with-savepoint of the rescale:         size {CheckpointFigures.Mb((long)Stats.Median(savepoints.Select(c => (double)c.StateSize)))}, "
                + $"sync {CheckpointFigures.MedianMax(savepoints.Select(c => c.SyncDurationMs).ToList())} ms, async {CheckpointFigures.MedianMax(savepoints.Select(c => c.AsyncDurationMs).ToList())} ms, "
                + $"end-to-end {CheckpointFigures.MedianMax(savepoints.Select(c => c.EndToEndDurationMs).ToList())} ms");
        }

        return ok;
    }

    private static void PrintOne(Result r)
    {
        Console.WriteLine($"Repeat {r.Repeat}: pause {r.PauseMs:0} ms, scheduler PauseMs {r.SchedulerPauseMs} ms ({r.Rescale}); "
            + string.Concat(r.Checkpoints.Select(c => $"checkpoint {c.Id}: {CheckpointFigures.Mb(c.StateSize)} ({c.StateSize:N0} bytes), sync {c.SyncDurationMs} ms, async {c.AsyncDurationMs} ms, "
            + $"end-to-end {c.EndToEndDurationMs} ms; "))
            + (r.Savepoint is { } s ? $"savepoint {s.Id}: {CheckpointFigures.Mb(s.StateSize)}, sync {s.SyncDurationMs} ms, async {s.AsyncDurationMs} ms, end-to-end {s.EndToEndDurationMs} ms" : "savepoint: not in the stats"));
        Console.WriteLine("  timeline (ms, 0 = last record of the old attempt):");
        foreach (var (ms, what) in r.Timeline)
        {
            Console.WriteLine(double.IsNaN(ms) ? $"             {what}" : $"  {ms,9:0}  {what}");
        }
    }

    private static async Task<Result> RunOnceAsync(BenchOptions options, SchedulerLog log, int repeat)
    {
        Probe.Reset();
        var directory = Path.Combine(options.CheckpointDirectory, $"rescale-{Guid.NewGuid():N}"[..20]);
        await using var cluster = new MiniCluster(new MiniClusterConfiguration
        {
            NumberOfTaskManagers = 1,
            SlotsPerTaskManager = 2,
            RestartStrategy = RestartStrategies.FixedDelay(3, TimeSpan.FromMilliseconds(500)),
        });
        await cluster.StartAsync();
        var env = StreamExecutionEnvironment.GetExecutionEnvironment();
        env.Deployment = new DeploymentOptions
        {
            SchedulerMode = "reactive",
            ResourceStabilizationTimeout = TimeSpan.FromMilliseconds(options.StabilizationMs),
            MinRescaleInterval = TimeSpan.Zero,
        };
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(options.RescaleIntervalMs));
        // The minimum pause keeps a periodic checkpoint out of the rescale (the TaskManager joins right after one
        // completed) and out of the new attempt's first seconds (it would snapshot the state it is still restoring).
        env.ConfigureCheckpointing(c => c with { Directory = directory, MinPauseBetweenCheckpoints = TimeSpan.FromMilliseconds(options.MinPauseMs) });
        var keys = options.StateKeys;
        env.FromSource(new DataGeneratorSource<long>(i => i, count: null, options.Rate > 0 ? options.Rate : null), WatermarkStrategy<long>.NoWatermarks(), "Numbers").Uid("numbers")
            .KeyBy(v => (int)(v % keys))
            .Process(new FeaturesPerKey()).Uid("features-per-key").Name("Features per key")
            .SinkTo(new DiscardingSink<long>(), "Discard").Uid("discard");
        var jobId = await cluster.Dispatcher.SubmitJobAsync(env.GetJobGraph($"rescale-pause #{repeat}"));
        var watcher = new CheckpointWatcher();
        await watcher.WaitForAsync(cluster, jobId, d => CheckpointWatcher.AllRunning(d) && d.Vertices.Max(v => v.Parallelism) == 2,
            TimeSpan.FromSeconds(60), "the job to run at p=2");

        // Every key has state …
        var fill = Stopwatch.StartNew();
        await watcher.WaitForAsync(cluster, jobId, _ => Probe.TotalNewKeys >= keys, TimeSpan.FromSeconds(300), $"state for all {keys:N0} keys", pollMs: 100);
        var filledAt = DateTimeOffset.UtcNow;
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        Console.WriteLine($"Repeat {repeat}: state for all {keys:N0} keys after {fill.Elapsed.TotalSeconds:0.0} s ({Probe.TotalRecords:N0} records), managed heap {CheckpointFigures.Mb(heap)}; waiting for a checkpoint of it…");

        // … and a checkpoint triggered after that completed. The TaskManager joins right after it, so the next periodic
        // checkpoint is an interval away.
        var details = await watcher.WaitForAsync(cluster, jobId,
            _ => watcher.Completed.Count(c => c.TriggerTime > filledAt && c.Kind == Rill.Checkpointing.CheckpointKind.Checkpoint) >= options.FullCheckpoints,
            TimeSpan.FromMilliseconds((options.RescaleIntervalMs * 3) + 120_000), "a checkpoint of the full state", pollMs: 10);
        var fullCheckpoints = watcher.Completed.Where(c => c.TriggerTime > filledAt && c.Kind == Rill.Checkpointing.CheckpointKind.Checkpoint).ToList();
        var gen2Before = GC.CollectionCount(2);
        await using var cpu = new CpuSampler();
        var added = DateTimeOffset.UtcNow;
        await cluster.AddTaskManagerAsync();

        details = await watcher.WaitForAsync(cluster, jobId,
            d => CheckpointWatcher.AllRunning(d) && d.Vertices.Max(v => v.Parallelism) == 4 && d.Rescales is { Count: > 0 }
                && Probe.All.Count(m => m.Parallelism == 4 && m.FirstRecord != 0) == 4,
            TimeSpan.FromSeconds(180), "the rescale to p=4 and a record in every new subtask");
        await Task.Delay(1000);
        details = await watcher.PollAsync(cluster, jobId);
        var executingAt = log.Entered("Executing", added);
        var creatingAt = log.Entered("CreatingExecutionGraph", added);
        var stopAt = log.Entered("StopWithSavepoint", added);
        await cluster.Dispatcher.CancelJobAsync(jobId);
        await cluster.Dispatcher.RequestJobResultAsync(jobId).WaitAsync(TimeSpan.FromSeconds(60));
        var gen2 = GC.CollectionCount(2) - gen2Before;

        var marks = Probe.All;
        var oldAttempt = marks.Where(m => m.Parallelism == 2).Max(m => m.Attempt);
        var newAttempt = marks.Where(m => m.Parallelism == 4).Min(m => m.Attempt);
        var old = marks.Where(m => m.Attempt == oldAttempt).ToList();
        var fresh = marks.Where(m => m.Attempt == newAttempt).ToList();
        var lastOld = old.Max(m => m.LastRecord);
        var firstNew = fresh.Min(m => m.FirstRecord);
        double Rel(long ticks) => Probe.Ms(lastOld, ticks);
        double RelTime(DateTimeOffset time) => Probe.Ms(lastOld, Probe.FromWallClock(time));

        var rescale = details.Rescales![0];
        var savepoint = watcher.Completed.Where(c => c.Kind != Rill.Checkpointing.CheckpointKind.Checkpoint && c.TriggerTime >= added).OrderBy(c => c.Id).FirstOrDefault();
        var keyed = details.Vertices.Single(v => v.Name.Contains("Features per key", StringComparison.Ordinal));
        var deployed = keyed.Subtasks.Min(s => s.StartTime!.Value);
        var timeline = new List<(double Ms, string Event)>
        {
            (RelTime(added), "TaskManager added"),
        };
        if (stopAt is { } stop)
        {
            timeline.Add((RelTime(stop), "scheduler: Executing -> StopWithSavepoint (the savepoint is triggered; scheduler pause starts)"));
        }

        if (savepoint is not null)
        {
            timeline.Add((RelTime(savepoint.TriggerTime), $"savepoint {savepoint.Id} trigger time"));
        }

        timeline.Add((Rel(old.Min(m => m.LastRecord)), "first old keyed subtask processed its last record (its barrier arrived; sync snapshot starts)"));
        timeline.Add((0, "last record of the old attempt"));
        if (savepoint?.LatestAckTime is { } ack)
        {
            timeline.Add((RelTime(ack), $"savepoint's last acknowledgement (sync ≤ {savepoint.SyncDurationMs} ms + async ≤ {savepoint.AsyncDurationMs} ms per subtask)"));
        }

        timeline.Add((Rel(old.Max(m => m.Close)), "old keyed subtasks closed (after the savepoint completed)"));
        if (creatingAt is { } creating)
        {
            timeline.Add((RelTime(creating), "scheduler: -> CreatingExecutionGraph"));
        }

        timeline.Add((RelTime(rescale.Time), $"rescale recorded (scheduler PauseMs {rescale.PauseMs})"));
        timeline.Add((RelTime(deployed), "new keyed subtasks deployed (first StartTime)"));
        timeline.Add((Rel(fresh.Min(m => m.OpenStart)), "first new keyed subtask opens its function (key groups read from the files)"));
        timeline.Add((Rel(fresh.Max(m => m.OpenStart)), "last new keyed subtask opens its function"));
        timeline.Add((Rel(fresh.Max(m => m.OpenEnd)), "last new keyed subtask has its state in its heap tables"));
        timeline.Add((Rel(firstNew), "first record of the new attempt"));
        timeline.Add((Rel(fresh.Max(m => m.FirstRecord)), "every new keyed subtask has processed a record"));
        if (executingAt is { } executing)
        {
            timeline.Add((RelTime(executing), "scheduler: -> Executing"));
        }

        timeline.Sort((a, b) => a.Ms.CompareTo(b.Ms));
        timeline.Add((double.NaN, $"0 = {(double)lastOld / Stopwatch.Frequency:0.000000} s of the Stopwatch clock (CLOCK_MONOTONIC on Linux: `perf record -k CLOCK_MONOTONIC` shares it)"));
        var pauseCpu = cpu.CpuSecondsBetween(lastOld, firstNew);
        var othersCpu = cpu.OthersCpuSecondsBetween(lastOld, firstNew);
        timeline.Add((double.NaN, $"CPU used by the process during the pause: {pauseCpu:0.00} s in {Probe.Ms(lastOld, firstNew) / 1000:0.00} s of wall clock "
            + $"({pauseCpu / (Probe.Ms(lastOld, firstNew) / 1000) / Environment.ProcessorCount:P0} of {Environment.ProcessorCount} cores); "
            + $"other processes: {othersCpu:0.00} s ({othersCpu / (Probe.Ms(lastOld, firstNew) / 1000) / Environment.ProcessorCount:P0})"));
        timeline.Add((double.NaN, $"{gen2} gen-2 GCs between the TaskManager joining and the end of the run; old attempt {oldAttempt}, new attempt {newAttempt}"));

        // The pause along its critical path: the new subtask that processed the first record.
        var savepointDone = savepoint?.LatestAckTime is { } done ? RelTime(done) : double.NaN;
        var critical = fresh.MinBy(m => m.FirstRecord)!;
        var criticalDeployed = RelTime(keyed.Subtasks.Single(s => s.Subtask == critical.Subtask).StartTime!.Value);
        var phases = new List<(string Phase, double Ms)>
        {
            ("last old record → savepoint complete (sync + async + acks)", savepointDone),
            ("savepoint complete → new subtask deployed", criticalDeployed - savepointDone),
            ("deployed → function opens (task start, state files read)", Rel(critical.OpenStart) - criticalDeployed),
            ("function open (restored bytes into the heap tables)", Probe.Ms(critical.OpenStart, critical.OpenEnd)),
            ("opened → first record", Probe.Ms(critical.OpenEnd, critical.FirstRecord)),
        };
        foreach (var m in fresh)
        {
            var deployedAt = RelTime(keyed.Subtasks.Single(s => s.Subtask == m.Subtask).StartTime!.Value);
            timeline.Add((double.NaN, $"new subtask {m.Subtask}: deployed {deployedAt:0}, opens {Rel(m.OpenStart):0} (+{Rel(m.OpenStart) - deployedAt:0}), "
                + $"state restored {Rel(m.OpenEnd):0} (+{Probe.Ms(m.OpenStart, m.OpenEnd):0}), first record {Rel(m.FirstRecord):0}"));
        }

        CheckpointOverhead.TryDelete(directory);
        return new Result(repeat, Probe.Ms(lastOld, firstNew), rescale.PauseMs, fullCheckpoints, savepoint, phases, timeline, pauseCpu, othersCpu,
            fresh.Sum(m => m.NewKeys), $"{rescale.From} → {rescale.To}, {rescale.Cause}");
    }
}
