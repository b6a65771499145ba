using System.Diagnostics;
using System.Globalization;
using Rill.Bench.Checkpointing;

// Checkpointing and reactive-mode benches (heap state backend, embedded mini cluster). See bench/README.md.
if (Rill.Bench.Shared.BenchStart.Begin(args, BenchOptions.Parse, o => o.Help, BenchOptions.Usage, out var options) is { } exit)
{
    return exit;
}

var log = SchedulerLog.Install(options.Verbose);
var total = Stopwatch.StartNew();
var loadAtStart = Stats.LoadAverage();
Console.WriteLine($"Rill checkpointing bench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {loadAtStart}.");
Console.WriteLine();
Directory.CreateDirectory(options.CheckpointDirectory);
var ok = true;
try
{
    if (options.Bench is "checkpoint-overhead" or "all")
    {
        ok &= await CheckpointOverhead.RunAsync(options);
        Console.WriteLine();
    }

    if (options.Bench is "rescale-pause" or "all")
    {
        ok &= await RescalePause.RunAsync(options, log);
        Console.WriteLine();
    }
}
finally
{
    if (options.OwnsCheckpointDirectory)
    {
        CheckpointOverhead.TryDelete(options.CheckpointDirectory);
    }
}

Console.WriteLine($"Total bench time {total.Elapsed.TotalSeconds:0} s. Load average (1/5/15 min) at start {loadAtStart}, at end {Stats.LoadAverage()}.");
return ok ? 0 : 1;

public sealed record BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Rill.Bench.Checkpointing -- <checkpoint-overhead|rescale-pause|all> [options]

        checkpoint-overhead (throughput with a checkpoint every interval vs none, interleaved A B A B A B):
          --keys N              keys of the keyed running count (100000)
          --parallelism N       parallelism of the job (2)
          --runs N              interleaved pairs (3)
          --interval-ms N       checkpoint interval of the B runs (1000)
          --warmup-s S          seconds after every subtask runs before counting (3)
          --measure-s S         seconds counted per run (12)
          --single A|B          diagnostic: one run of one mode only (e.g. under perf)
        rescale-pause (reactive job, 1 TaskManager x 2 slots, then a 2nd TaskManager joins):
          --state-keys N        keys, each with a 96-byte ValueState (1000000, ~100 MB of checkpoint)
          --rate R              source records/s over all readers, 0 = unthrottled (200000)
          --repeats N           rescales, each in a fresh cluster (3)
          --rescale-interval-ms N  checkpoint interval of the reactive job (5000)
          --full-checkpoints N  checkpoints of the full state to wait for before the rescale (2)
          --min-pause-ms N      minimum pause between checkpoints of the reactive job (4000)
          --stabilization-ms N  ResourceStabilizationTimeout (500)
        common:
          --checkpoint-dir DIR  where checkpoints go (a new folder under the temp directory, deleted at the end)
          --verbose             also show the engine's scheduler log lines
        """;

    public string Bench { get; init; } = "all";

    public int Keys { get; init; } = 100_000;

    public int Parallelism { get; init; } = 2;

    public int Runs { get; init; } = 3;

    public int IntervalMs { get; init; } = 1000;

    public double WarmupSeconds { get; init; } = 3;

    public double MeasureSeconds { get; init; } = 12;

    public int StateKeys { get; init; } = 1_000_000;

    public double Rate { get; init; } = 200_000;

    public int Repeats { get; init; } = 3;

    public int RescaleIntervalMs { get; init; } = 5_000;

    public int StabilizationMs { get; init; } = 500;

    public int FullCheckpoints { get; init; } = 2;

    public int MinPauseMs { get; init; } = 4_000;

    public string CheckpointDirectory { get; init; } = Path.Combine(Path.GetTempPath(), $"rill-bench-checkpoints-{Environment.ProcessId}");

    public bool OwnsCheckpointDirectory { get; init; } = true;

    public bool Verbose { get; init; }

    /// <summary>checkpoint-overhead diagnostic: run only mode A or B once.</summary>
    public string? SingleMode { get; init; }

    public bool Help { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            double Double() => double.Parse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "checkpoint-overhead" or "rescale-pause" or "all" => options with { Bench = args[i] },
                "--keys" => options with { Keys = Int() },
                "--parallelism" => options with { Parallelism = Int() },
                "--runs" => options with { Runs = Int() },
                "--interval-ms" => options with { IntervalMs = Int() },
                "--warmup-s" => options with { WarmupSeconds = Double() },
                "--measure-s" => options with { MeasureSeconds = Double() },
                "--state-keys" => options with { StateKeys = Int() },
                "--rate" => options with { Rate = Double() },
                "--repeats" => options with { Repeats = Int() },
                "--rescale-interval-ms" => options with { RescaleIntervalMs = Int() },
                "--stabilization-ms" => options with { StabilizationMs = Int() },
                "--full-checkpoints" => options with { FullCheckpoints = Int() },
                "--min-pause-ms" => options with { MinPauseMs = Int() },
                "--checkpoint-dir" => options with { CheckpointDirectory = Path.GetFullPath(Next()), OwnsCheckpointDirectory = false },
                "--verbose" => options with { Verbose = true },
                "--single" => options with { SingleMode = Next() switch { "A" => "A", "B" => "B", _ => throw new ArgumentException("--single takes A or B.") } },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'."),
            };
        }

        if (options.Keys < 1 || options.Parallelism < 1 || options.Runs < 1 || options.IntervalMs < 10 || options.StateKeys < 1 || options.Repeats < 1)
        {
            throw new ArgumentException("Counts must be positive and the interval at least 10 ms.");
        }

        return options;
    }
}
