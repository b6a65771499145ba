using Rill.Api;
using Rill.Checkpointing;

namespace Rill.Connectors.Tests.Kafka.Sink;

/// <summary>Embedded jobs for the sink tests, with a hard time limit so a hang fails the test.</summary>
internal static class SinkJobs
{
    public static StreamExecutionEnvironment Env(int parallelism, string? checkpointDirectory = null, TimeSpan? checkpointInterval = null)
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(parallelism);
        if (checkpointDirectory is not null)
        {
            env.EnableCheckpointing(checkpointInterval ?? TimeSpan.FromMilliseconds(50));
            env.ConfigureCheckpointing(c => c with { Directory = checkpointDirectory });
            env.Deployment = env.Deployment with { RestartStrategy = "fixed-delay:3:0.1" };
        }

        return env;
    }

    public static async Task RunAsync(StreamExecutionEnvironment env, string name, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        using var cancellation = new CancellationTokenSource(limit);
        try
        {
            await env.ExecuteAsync(name, cancellation.Token).WaitAsync(limit + TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (cancellation.IsCancellationRequested && e is not TimeoutException)
        {
            throw new TimeoutException($"Job '{name}' did not finish within {limit.TotalSeconds} s (hang?).", e);
        }
    }

    /// <summary>The exception of type <typeparamref name="TException"/> in the chain of inner exceptions.</summary>
    public static TException FindCause<TException>(Exception e)
        where TException : Exception
    {
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is TException found)
            {
                return found;
            }
        }

        throw new Xunit.Sdk.XunitException($"No {typeof(TException).Name} in the causes of: {e}");
    }

    public static string TempDirectory(string name) => Path.Combine(Path.GetTempPath(), $"rill-kafka-sink-{name}-{Guid.NewGuid().ToString("N")[..8]}");
}
