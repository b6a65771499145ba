using Microsoft.Extensions.Logging;
using Rill.Api;
using Rill.Executors;
using Rill.Graph;
using Rill.Logging;
using Rill.Network;

[assembly: PipelineExecutorFactory(typeof(Rill.Runtime.MiniCluster.EmbeddedExecutorFactory))]

namespace Rill.Runtime.MiniCluster;

/// <summary>
/// Runs a job in a mini cluster started just for it, sized to the job's slot needs (Flink's LocalExecutor).
/// This is what <c>env.ExecuteAsync()</c> does when no cluster is configured.
/// </summary>
public sealed class EmbeddedExecutor(NetworkConfig network, int? restPort, string? restartStrategy = null) : IPipelineExecutor
{
    public async Task<JobExecutionResult> ExecuteAsync(StreamGraph streamGraph, CancellationToken cancellation)
    {
        // The console of a program that runs its job here is the program's own (its results, its messages): the runtime
        // says only what went wrong there, not how its job and TaskManager come and go.
        RillLogging.ConsoleMinimumLevel = LogLevel.Warning;
        var job = JobGraphGenerator.Create(streamGraph);
        await using var cluster = new MiniCluster(new MiniClusterConfiguration
        {
            NumberOfTaskManagers = 1,
            SlotsPerTaskManager = job.RequiredSlots,
            Network = network,
            RestPort = restPort,
            // As Flink: a checkpointed job restarts (from its latest checkpoint) unless a strategy says otherwise.
            RestartStrategy = restartStrategy is not null ? Scheduler.RestartStrategies.Parse(restartStrategy)
                : job.Options.Checkpointing.IsEnabled ? Scheduler.RestartStrategies.FixedDelay(int.MaxValue, TimeSpan.FromSeconds(1))
                : Scheduler.RestartStrategies.None,
        });
        await cluster.StartAsync(cancellation).ConfigureAwait(false);
        if (cluster.RestAddress is { } address)
        {
            // Not a log line: the program's user asked for the REST API (--rest-port), and where it is goes to them
            // whatever the logs show.
            Console.Error.WriteLine($"Rill REST API at {address}");
        }

        return await cluster.ExecuteAsync(job, cancellation).ConfigureAwait(false);
    }
}

public sealed class EmbeddedExecutorFactory : IPipelineExecutorFactory
{
    public IPipelineExecutor Create(StreamExecutionEnvironment environment) => environment.Deployment.IsDistributed
        ? new Entrypoint.ApplicationClusterExecutor(environment)
        : new EmbeddedExecutor(environment.NetworkConfig, environment.RestPort, environment.Deployment.RestartStrategy);
}
