using Rill.Api;
using StackExchange.Redis;

namespace Rill.Connectors.Tests.Redis;

/// <summary>Runs Rill jobs embedded against the test's redis-server, with a hard time limit so a hang fails the test.</summary>
internal static class RedisJobs
{
    public static StreamExecutionEnvironment Env(int parallelism) =>
        StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(parallelism).SetRuntimeMode(RuntimeExecutionMode.Streaming);

    public static async Task<JobExecutionResult> RunAsync(StreamExecutionEnvironment env, string jobName, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        using var cancellation = new CancellationTokenSource(limit);
        try
        {
            return await env.ExecuteAsync(jobName, cancellation.Token).WaitAsync(limit + TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (cancellation.IsCancellationRequested && e is not TimeoutException)
        {
            throw new TimeoutException($"Job '{jobName}' did not finish within {limit.TotalSeconds} s (hang?).", e);
        }
    }

    /// <summary>A client of the test's own (independent of the connectors' connections), for setting up and checking data.</summary>
    public static ConnectionMultiplexer Connect(Rill.Tests.TestSupport.RedisServer redis) =>
        ConnectionMultiplexer.Connect($"127.0.0.1:{redis.Port}");

    /// <summary>Keys unique to one test, so the tests of a class can share one redis-server.</summary>
    public static string UniquePrefix() => "t" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The whole chain of messages, since the job wraps the task's exception.</summary>
    public static string Messages(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" | ", messages);
    }
}
