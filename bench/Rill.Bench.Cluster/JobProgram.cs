using System.Globalization;
using System.Text.Json;
using Rill.Api;
using Rill.Serialization;

namespace Rill.Bench.Cluster;

/// <summary>What a job process prints on stdout when its <c>ExecuteAsync</c> returns (one JSON line after the marker).</summary>
internal sealed record JobReport(
    string Role,
    long FirstSourceTicks,
    long LastSinkTicks,
    long NetRuntimeMs,
    Dictionary<string, long> Accumulators,
    double CpuSeconds = 0,
    long AllocatedBytes = 0,
    int Gen0Collections = 0,
    int Gen2Collections = 0);

/// <summary>
/// The job side of the bench (Flink as a library): <c>job windowcount|dataplane [options]</c>. Without deployment
/// options it runs embedded; with <c>--role jobmanager|taskmanager</c> each process is one member of a cluster, and the
/// same program started three times (JobManager without slots, two TaskManagers with one slot) forms it.
/// </summary>
internal static class JobProgram
{
    public const string Marker = "RILL-BENCH-REPORT ";

    public static readonly string Usage =
        "job windowcount [--records N (0: unbounded)] [--keys N] [--window-ms N] [--rate R] [--parallelism P] [--rest-port P] [deployment options]\n" +
        "job dataplane [--records N] [--record-bytes N] [--rest-port P] [deployment options]\n" +
        "both: [--buffers-per-channel N] (network buffers per channel = a remote channel's credits; default 2)\n" +
        "deployment options: " + string.Join(" ", DeploymentOptions.Keys.Select(k => "--" + k));

    public static async Task<int> RunAsync(string job, IReadOnlyList<string> args)
    {
        var parameters = ParameterTool.FromArgs(args);
        parameters.CheckKnown(["records", "keys", "window-ms", "rate", "parallelism", "record-bytes", "rest-port", "buffers-per-channel", .. DeploymentOptions.Keys]);
        TypeSerializers.Register(new DataPlaneJob.ReusingByteArraySerializer());

        var env = StreamExecutionEnvironment.GetExecutionEnvironment();
        env.SetRuntimeMode(RuntimeExecutionMode.Streaming);
        env.Deployment = DeploymentOptions.Read(parameters);
        env.RestPort = parameters.GetInt("rest-port");
        env.SetParallelism(parameters.GetInt("parallelism") ?? 2);
        if (parameters.GetInt("buffers-per-channel") is { } buffers)
        {
            // Diagnostic: a remote channel's credits are its exclusive buffers (2 by default, Flink's default too).
            env.NetworkConfig = env.NetworkConfig with { BuffersPerChannel = buffers };
        }
        string jobName;
        switch (job)
        {
            case "windowcount":
                var rate = parameters.Get("rate") is { } r ? double.Parse(r, CultureInfo.InvariantCulture) : (double?)null;
                WindowCountJob.Build(env, GetLong(parameters, "records", 40_000_000), parameters.GetInt("keys") ?? 4096,
                    GetLong(parameters, "window-ms", 1_000_000), rate);
                jobName = "Bench Window Count";
                break;
            case "dataplane":
                DataPlaneJob.Build(env, GetLong(parameters, "records", 2_000_000), parameters.GetInt("record-bytes") ?? 1024);
                jobName = "Bench Data Plane";
                break;
            default:
                throw new ArgumentException($"Unknown job '{job}'.");
        }

        var result = await env.ExecuteAsync(jobName);
        var report = new JobReport(env.Deployment.Role ?? "embedded", Probe.FirstSourceTicks, Probe.LastSinkTicks,
            (long)result.NetRuntime.TotalMilliseconds, result.Accumulators.ToDictionary(a => a.Key, a => a.Value),
            System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(2));
        Console.Out.WriteLine(Marker + JsonSerializer.Serialize(report));
        Console.Out.Flush();
        return 0;
    }

    private static long GetLong(ParameterTool parameters, string key, long defaultValue) =>
        parameters.Get(key) is { } text ? long.Parse(text.Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture) : defaultValue;
}
