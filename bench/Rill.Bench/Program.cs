using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Rill.Api;
using Rill.Bench;

// ClickCounts throughput: hand-written loops vs Rill (embedded, parallelism 1 and 2) vs Akka.Streams, over the same
// pre-generated in-memory events, in one process. See bench/README.md.
if (Rill.Bench.Shared.BenchStart.Begin(args, BenchOptions.Parse, o => o.Help, BenchOptions.Usage, out var options) is { } exit)
{
    return exit;
}

var total = Stopwatch.StartNew();
var loadAtStart = Rill.Bench.Shared.BenchStats.LoadAverage();
Console.WriteLine($"Generating {options.Events:N0} events ({options.Users:N0} users over {options.SpanMinutes} min, seed {options.Seed}) " +
                  $"and {options.WarmupEvents:N0} warm-up events...");
var events = EventGenerator.Generate(options.Events, options.Users, TimeSpan.FromMinutes(options.SpanMinutes), options.Seed);
var warmup = EventGenerator.Generate(options.WarmupEvents, options.Users, TimeSpan.FromMinutes(options.SpanMinutes), options.Seed + 1);
EventGenerator.AssertNothingLate(events);
EventGenerator.AssertNothingLate(warmup);

// The reference result: the naive loop, run once untimed (it is also checked against itself in its timed runs).
var reference = Expected.From(Loops.Results(Loops.Naive(events)));
var warmupReference = Expected.From(Loops.Results(Loops.Naive(warmup)));
var windows = reference.Keys.Select(k => k.WindowStart).Distinct().Count();
Console.WriteLine($"Expected result: {reference.Count:N0} (window, user) counts over {windows} one-minute windows.");

// The allocation target is about the engine, so one Rill run writes results into an array allocated here, before
// any measurement; the plain rill-p1 run also counts CollectSink's growing result list. Sized for the larger input;
// the result check still catches a missing or extra count.
var presizedSink = new PresizedSink(Math.Max(reference.Count, warmupReference.Count) + 1024);
using var akka = options.Includes("akka") ? new AkkaContender() : null;
var contenders = new List<Contender>
{
    new("loop-naive", "Loop, naive (Dictionary<(long, int), int>)", e => Task.FromResult(Loops.Results(Loops.Naive(e)))),
    new("loop-tuned", "Loop, tuned (packed key, 1 lookup)", e => Task.FromResult(Loops.Results(Loops.Tuned(e)))),
    new("rill-p1", "Rill, parallelism 1", async e => await RillContender.RunAsync(e, 1, options.RillMode)),
    new("rill-p1-engine", "Rill, parallelism 1, results to pre-sized array", e => RillStages.PresizedSinkAsync(e, 1, presizedSink)),
    new("rill-p2", "Rill, parallelism 2", async e => await RillContender.RunAsync(e, 2, options.RillMode)),
    new("akka-window-user", "Akka.Streams GroupBy(window, user) → Fold", async e => await akka!.RunGroupByWindowAndUserAsync(e)),
    new("akka-user", "Akka.Streams GroupBy(user) → Aggregate", async e => await akka!.RunGroupByUserAsync(e, options.Users)),
};
if (options.Stages)
{
    // Diagnostic cuts of the Rill pipeline; each checks that every event arrived, none is ClickCounts.
    static Func<Click[], Task<IEnumerable<WindowCount>>> Stage(Func<Click[], Task<long>> run) => async e =>
    {
        var n = await run(e);
        return n == e.Length ? [] : throw new InvalidOperationException($"stage counted {n:N0} records, expected {e.Length:N0}");
    };

    contenders.Add(new("stage-p1-chain", "stage: Rill p1 source→filter→map→sink", Stage(e => RillStages.SourceChainOnlyAsync(e, 1)), Diagnostic: true));
    contenders.Add(new("stage-p1-keyby", "stage: Rill p1 … →keyBy→sink", Stage(e => RillStages.ThroughKeyByAsync(e, 1)), Diagnostic: true));
    contenders.Add(new("stage-p2-chain", "stage: Rill p2 source→filter→map→sink", Stage(e => RillStages.SourceChainOnlyAsync(e, 2)), Diagnostic: true));
    contenders.Add(new("stage-p2-keyby", "stage: Rill p2 … →keyBy→sink", Stage(e => RillStages.ThroughKeyByAsync(e, 2)), Diagnostic: true));
}

var measurements = new List<Measurement>();
foreach (var contender in contenders.Where(c => options.Includes(c.Id)))
{
    Console.Write($"  {contender.Title}: warm-up");
    var warm = await contender.Run(warmup);
    var warmCheck = contender.Diagnostic ? null : warmupReference.Check(warm);
    if (warmCheck is not null)
    {
        Console.WriteLine();
        Console.Error.WriteLine($"{contender.Title}: warm-up result differs from the loop's: {warmCheck}");
    }

    // A second, measured warm-up run: its allocations next to the full run's show whether they follow the record
    // count or the amount of live window state (for Rill they follow the state, see README).
    Settle();
    var warmAllocBefore = GC.GetTotalAllocatedBytes(true);
    await contender.Run(warmup);
    var warmAlloc = GC.GetTotalAllocatedBytes(true) - warmAllocBefore;

    var runs = new List<Run>();
    string? failure = warmCheck;
    for (var i = 0; i < options.Runs; i++)
    {
        Settle();
        var allocBefore = GC.GetTotalAllocatedBytes(true);
        var gen0Before = GC.CollectionCount(0);
        var gen2Before = GC.CollectionCount(2);
        var started = Stopwatch.GetTimestamp();
        var result = await contender.Run(events);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetTotalAllocatedBytes(true) - allocBefore;
        runs.Add(new Run(elapsed, allocated, GC.CollectionCount(0) - gen0Before, GC.CollectionCount(2) - gen2Before));
        failure ??= contender.Diagnostic ? null : reference.Check(result);
        Console.Write($" | {elapsed.TotalSeconds:F3} s");
    }

    Console.WriteLine(failure is null ? " | result ok" : $" | RESULT MISMATCH: {failure}");
    measurements.Add(new Measurement(contender, runs, warmAlloc, failure));
}

Report.Print(options, measurements, reference.Count, windows, total.Elapsed, loadAtStart, Rill.Bench.Shared.BenchStats.LoadAverage());
return measurements.Any(m => m.Failure is not null) ? 1 : 0;

static void Settle()
{
    GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
}

namespace Rill.Bench
{
    /// <summary>A way to compute ClickCounts; a diagnostic one computes only part of it and is not checked against the loop.</summary>
    internal sealed record Contender(string Id, string Title, Func<Click[], Task<IEnumerable<WindowCount>>> Run, bool Diagnostic = false);

    internal sealed record Run(TimeSpan Elapsed, long AllocatedBytes, int Gen0Collections, int Gen2Collections);

    internal sealed record Measurement(Contender Contender, IReadOnlyList<Run> Runs, long WarmupAllocatedBytes, string? Failure)
    {
        /// <summary>The median run by time (the middle one; runs default to an odd count).</summary>
        public Run Median => Runs.OrderBy(r => r.Elapsed).ElementAt(Runs.Count / 2);

        public double EventsPerSecond(int events) => events / Median.Elapsed.TotalSeconds;

        public double BytesPerRecord(int events) => (double)Runs.Select(r => r.AllocatedBytes).Order().ElementAt(Runs.Count / 2) / events;
    }

    /// <summary>The loop's result as a map, and the check every contender's output must pass.</summary>
    internal sealed class Expected
    {
        private readonly Dictionary<(long WindowStart, int UserId), long> _counts;

        private Expected(Dictionary<(long WindowStart, int UserId), long> counts) => _counts = counts;

        public int Count => _counts.Count;

        public IEnumerable<(long WindowStart, int UserId)> Keys => _counts.Keys;

        public static Expected From(IEnumerable<WindowCount> results) =>
            new(results.ToDictionary(r => (r.WindowStart, r.UserId), r => r.Count));

        /// <summary>Null when <paramref name="results"/> holds exactly the expected counts, once each; else what differs.</summary>
        public string? Check(IEnumerable<WindowCount> results)
        {
            var seen = new HashSet<(long, int)>();
            var n = 0;
            foreach (var r in results)
            {
                n++;
                if (!seen.Add((r.WindowStart, r.UserId)))
                {
                    return $"({r.WindowStart}, {r.UserId}) emitted more than once";
                }

                if (!_counts.TryGetValue((r.WindowStart, r.UserId), out var expected))
                {
                    return $"unexpected ({r.WindowStart}, {r.UserId}) = {r.Count}";
                }

                if (expected != r.Count)
                {
                    return $"({r.WindowStart}, {r.UserId}) = {r.Count}, expected {expected}";
                }
            }

            return n == _counts.Count ? null : $"{n:N0} counts, expected {_counts.Count:N0}";
        }
    }

    internal sealed record BenchOptions(int Events, int WarmupEvents, int Users, int SpanMinutes, int Runs, ulong Seed,
        RuntimeExecutionMode RillMode, IReadOnlySet<string>? Only, bool Stages, bool Help)
    {
        public const string Usage = """
            Usage: dotnet run -c Release --project bench/Rill.Bench -- [options]
              --events N         events per measured run (default 10000000)
              --warmup-events N  events of each contender's warm-up run (default 1000000, at most --events)
              --users N          distinct user ids (default 1000)
              --minutes N        event-time span of the events, in minutes (default 120)
              --runs N           measured runs per contender; the median is reported (default 3)
              --seed N           generator seed (default 42)
              --rill-mode M      streaming (default) or batch
              --only A,B         run only these contenders: loop-naive, loop-tuned, rill-p1, rill-p1-engine, rill-p2,
                                 akka-window-user, akka-user (or the prefixes loop, rill, akka, stage)
              --stages           also time diagnostic cuts of the Rill pipeline (source chain only;
                                 up to the keyBy exchange), to see where Rill's time goes
            """;

        public bool Includes(string id) => Only is null || Only.Any(o => id == o || id.StartsWith(o + "-", StringComparison.Ordinal) || o.StartsWith(id + "-", StringComparison.Ordinal));

        public static BenchOptions Parse(string[] args)
        {
            var o = new BenchOptions(10_000_000, 1_000_000, 1000, 120, 3, 42, RuntimeExecutionMode.Streaming, null, false, false);
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                int Positive() => int.TryParse(Value().Replace("_", ""), out var v) && v > 0 ? v : throw new ArgumentException($"{args[i - 1]} needs a positive integer.");
                o = args[i] switch
                {
                    "--events" => o with { Events = Positive() },
                    "--warmup-events" => o with { WarmupEvents = Positive() },
                    "--users" => o with { Users = Positive() },
                    "--minutes" => o with { SpanMinutes = Positive() },
                    "--runs" => o with { Runs = Positive() },
                    "--seed" => o with { Seed = (ulong)Positive() },
                    "--rill-mode" => o with
                    {
                        RillMode = Value().ToLowerInvariant() switch
                        {
                            "streaming" => RuntimeExecutionMode.Streaming,
                            "batch" => RuntimeExecutionMode.Batch,
                            var m => throw new ArgumentException($"Unknown Rill mode '{m}'."),
                        },
                    },
                    "--only" => o with { Only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet() },
                    "--stages" => o with { Stages = true },
                    "--help" or "-h" => o with { Help = true },
                    var unknown => throw new ArgumentException($"Unknown option '{unknown}'."),
                };
            }

            var stages = o.Stages || (o.Only?.Any(x => x.StartsWith("stage", StringComparison.Ordinal)) ?? false);
            return o with { WarmupEvents = Math.Min(o.WarmupEvents, o.Events), Stages = stages };
        }
    }

    internal static class Report
    {
        private const double TunedLoopTarget = 0.10;
        private const double AkkaTarget = 2.0;
        private const double AllocTarget = 1.0;

        public static void Print(BenchOptions options, List<Measurement> measurements, int resultCount, int windows, TimeSpan total, string loadAtStart, string loadAtEnd)
        {
            var n = options.Events;
            Console.WriteLine();
            Console.WriteLine($"ClickCounts, {n:N0} events, {options.Users:N0} users, {windows} one-minute event-time windows -> {resultCount:N0} counts");
            Console.WriteLine($".NET {Environment.Version}, {RuntimeInformation.OSDescription.Trim()} {RuntimeInformation.ProcessArchitecture}, " +
                              $"{Environment.ProcessorCount} cores, {(GCSettings.IsServerGC ? "server" : "workstation")} GC " +
                              $"({GCSettings.LatencyMode}), Rill mode {options.RillMode.ToString().ToUpperInvariant()}");
            Console.WriteLine($"Median of {options.Runs} runs per contender, each after a warm-up run on {options.WarmupEvents:N0} events. " +
                              "Alloc = GC.GetTotalAllocatedBytes(true) delta over the whole run / events.");
            Console.WriteLine();
            Console.WriteLine($"| {"Contender",-44} | {"Median s",8} | {"Events/s",11} | {"Alloc B/rec",11} | {"GC0/GC2",7} | {"Runs (s)",-23} | Result |");
            Console.WriteLine($"|{new string('-', 46)}|{new string('-', 9)}:|{new string('-', 12)}:|{new string('-', 12)}:|{new string('-', 8)}:|{new string('-', 25)}|--------|");
            foreach (var m in measurements)
            {
                var median = m.Median;
                var runsText = string.Join(" ", m.Runs.Select(r => r.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)));
                var verdict = m.Failure is not null ? "WRONG" : m.Contender.Diagnostic ? "n/a" : "ok";
                Console.WriteLine($"| {m.Contender.Title,-44} | {median.Elapsed.TotalSeconds,8:F3} | {Rate(m.EventsPerSecond(n)),11} | {m.BytesPerRecord(n),11:F3} | " +
                                  $"{$"{median.Gen0Collections}/{median.Gen2Collections}",7} | {runsText,-23} | {verdict,-6} |");
            }

            Console.WriteLine();
            var tuned = Find(measurements, "loop-tuned");
            var akka = measurements.Where(m => m.Contender.Id.StartsWith("akka", StringComparison.Ordinal)).MaxBy(m => m.EventsPerSecond(n));
            foreach (var rill in measurements.Where(m => m.Contender.Id.StartsWith("rill", StringComparison.Ordinal)))
            {
                var targeted = rill.Contender.Id == "rill-p1";
                var allocationTargeted = rill.Contender.Id == "rill-p1-engine";
                var label = targeted ? " (throughput targets)" : allocationTargeted ? " (allocation target)" : " (no target; for information)";
                Console.WriteLine($"{rill.Contender.Title}{label}:");
                if (tuned is not null)
                {
                    var ratio = rill.EventsPerSecond(n) / tuned.EventsPerSecond(n);
                    Console.WriteLine($"  Rill / tuned loop     = {ratio,7:F3}x   target >= {TunedLoopTarget:F2}x   {Verdict(targeted, ratio >= TunedLoopTarget)}");
                }

                if (akka is not null)
                {
                    var ratio = rill.EventsPerSecond(n) / akka.EventsPerSecond(n);
                    Console.WriteLine($"  Rill / Akka.Streams   = {ratio,7:F3}x   target >= {AkkaTarget:F2}x   {Verdict(targeted, ratio >= AkkaTarget)}   (fastest Akka variant: {akka.Contender.Title})");
                }

                var perRecord = rill.BytesPerRecord(n);
                Console.WriteLine($"  allocated bytes/record = {perRecord,6:F3}   target < {AllocTarget:F0}        {Verdict(allocationTargeted, perRecord < AllocTarget)}" +
                                  $"   ({rill.Median.AllocatedBytes / (double)(1 << 20):F1} MiB per run; {rill.WarmupAllocatedBytes / (double)(1 << 20):F1} MiB for the {options.WarmupEvents:N0}-event warm-up input)");
            }

            Console.WriteLine();
            Console.WriteLine($"Total bench time {total.TotalSeconds:F0} s. Load average (1/5/15 min) at start {loadAtStart}, at end {loadAtEnd}.");
        }

        private static Measurement? Find(List<Measurement> measurements, string id) => measurements.FirstOrDefault(m => m.Contender.Id == id);

        private static string Verdict(bool targeted, bool met) => targeted ? (met ? "PASS" : "MISS") : (met ? "(met)" : "(not met)");

        private static string Rate(double perSecond) => perSecond >= 1e6 ? $"{perSecond / 1e6:F2} M/s" : $"{perSecond / 1e3:F0} k/s";
    }
}
