using System.Globalization;
using Rill.Api;

namespace Rill.Bench.Cluster;

internal sealed record HarnessOptions
{
    public const string Usage =
        "dotnet run -c Release --project bench/Rill.Bench.Cluster -- [options]\n" +
        "  --only throughput,dataplane,kill   scenarios to run (default: all three)\n" +
        "  --records N          window-count records per run (default 80,000,000; a multiple of 2)\n" +
        "  --keys N             keys of the keyBy (default 4096)\n" +
        "  --window-ms N        tumbling window size in event-time ms = records per source subtask (default 1,000,000)\n" +
        "  --runs N             throughput runs per mode, alternating embedded/distributed (default 5; median reported)\n" +
        "  --dp-records N       data-plane records per run (default 4,000,000)\n" +
        "  --dp-record-bytes N  data-plane record size (default 1024)\n" +
        "  --dp-runs N          distributed data-plane runs (default 3; one embedded run as the in-memory reference)\n" +
        "  --kill-runs N        TaskManager kills, each on a fresh cluster (default 3)\n" +
        "  --kill-rate R        records/s of the unbounded job that runs while a TaskManager is killed (default 200,000)\n" +
        "  --heartbeat-timeout S  JobManager and TaskManager heartbeat timeout in the kill runs (default 60)\n" +
        "  --buffers-per-channel N  diagnostic: network buffers per channel (a remote channel's credits; default 2) for every job\n" +
        "  --logs DIR           where every process's output goes (default: a new directory under /tmp)";

    public bool Help { get; init; }

    public IReadOnlySet<string> Only { get; init; } = new HashSet<string> { "throughput", "dataplane", "kill" };

    public long Records { get; init; } = 80_000_000;

    public int Keys { get; init; } = 4096;

    public long WindowMs { get; init; } = 1_000_000;

    public int Runs { get; init; } = 5;

    public long DataPlaneRecords { get; init; } = 4_000_000;

    public int DataPlaneRecordBytes { get; init; } = 1024;

    public int DataPlaneRuns { get; init; } = 3;

    public int KillRuns { get; init; } = 3;

    public double KillRate { get; init; } = 200_000;

    public double HeartbeatTimeoutSeconds { get; init; } = 60;

    public int? BuffersPerChannel { get; init; }

    public string LogDirectory { get; init; } = Path.Combine(Path.GetTempPath(), $"rill-bench-cluster-{DateTime.UtcNow:yyyyMMdd-HHmmss}");

    public static HarnessOptions Parse(string[] args)
    {
        var p = ParameterTool.FromArgs(args);
        p.CheckKnown("help", "only", "records", "keys", "window-ms", "runs", "dp-records", "dp-record-bytes", "dp-runs", "kill-runs", "kill-rate", "heartbeat-timeout", "buffers-per-channel", "logs");
        var defaults = new HarnessOptions();
        var only = p.Get("only") is { } list ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet() : defaults.Only;
        if (only.Except(defaults.Only).FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown scenario '{unknown}' in --only.");
        }

        var options = new HarnessOptions
        {
            Help = p.GetFlag("help"),
            Only = only,
            Records = Long(p, "records", defaults.Records),
            Keys = (int)Long(p, "keys", defaults.Keys),
            WindowMs = Long(p, "window-ms", defaults.WindowMs),
            Runs = (int)Long(p, "runs", defaults.Runs),
            DataPlaneRecords = Long(p, "dp-records", defaults.DataPlaneRecords),
            DataPlaneRecordBytes = (int)Long(p, "dp-record-bytes", defaults.DataPlaneRecordBytes),
            DataPlaneRuns = (int)Long(p, "dp-runs", defaults.DataPlaneRuns),
            KillRuns = (int)Long(p, "kill-runs", defaults.KillRuns),
            KillRate = Long(p, "kill-rate", (long)defaults.KillRate),
            HeartbeatTimeoutSeconds = Long(p, "heartbeat-timeout", (long)defaults.HeartbeatTimeoutSeconds),
            BuffersPerChannel = p.Has("buffers-per-channel") ? (int)Long(p, "buffers-per-channel", 2) : null,
            LogDirectory = p.Get("logs") ?? defaults.LogDirectory,
        };
        if (options.Records % 2 != 0)
        {
            throw new ArgumentException("--records must be even (two source subtasks).");
        }

        return options;
    }

    private static long Long(ParameterTool p, string key, long defaultValue)
    {
        if (p.Get(key) is not { } text)
        {
            return defaultValue;
        }

        return long.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal).Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"Option --{key} needs a positive whole number, got '{text}'.");
    }
}
