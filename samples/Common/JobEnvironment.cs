using Rill.Api;

namespace Rill.Samples;

/// <summary>The environment of a streaming sample, set up from the options every such sample takes.</summary>
internal static class JobEnvironment
{
    /// <param name="restPort">With a port the embedded cluster serves Flink's REST API while the job runs.</param>
    /// <param name="checkpointingMs">With an interval, checkpoints (and the exactly-once or at-least-once sinks that rely on them).</param>
    public static StreamExecutionEnvironment CreateStreaming(int? restPort, DeploymentOptions deployment, int? parallelism, int? checkpointingMs, string? checkpointDirectory)
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment();
        env.SetRuntimeMode(RuntimeExecutionMode.Streaming);
        env.RestPort = restPort;
        env.Deployment = deployment;
        if (parallelism is { } p)
        {
            env.SetParallelism(p);
        }

        if (checkpointingMs is { } interval)
        {
            env.EnableCheckpointing(TimeSpan.FromMilliseconds(interval));
            if (checkpointDirectory is { } checkpoints)
            {
                env.ConfigureCheckpointing(c => c with { Directory = checkpoints });
            }
        }

        return env;
    }
}
