using Microsoft.Extensions.Logging;
using Rill.Logging;
using Rill.Runtime.Artifacts;
using Rill.Runtime.HighAvailability;
using Rill.Runtime.TaskExecutor;

namespace Rill.Runtime.Entrypoint;

/// <summary>
/// Generic cluster processes for session mode (<c>rill jobmanager</c>, <c>rill taskmanager</c>): they run no program of
/// their own; clients upload applications and run them through the REST API.
/// </summary>
public static class SessionClusterEntrypoint
{
    private static readonly ILogger Logger = RillLogging.CreateLogger(typeof(SessionClusterEntrypoint));
    /// <summary>Runs a session JobManager until <paramref name="cancellation"/> fires (Ctrl+C, SIGTERM).</summary>
    /// <param name="artifactDirectory">Where uploaded applications are kept.</param>
    /// <param name="cluster">HA services (<c>redis://host:port</c>): JobManagers started with the same cluster id elect a leader; the
    /// others stand by and take over (resuming the stored jobs) when it dies. They must share <paramref name="artifactDirectory"/>.</param>
    public static async Task RunJobManagerAsync(JobManagerConfiguration configuration, string artifactDirectory, CancellationToken cancellation,
        string? cluster = null, string clusterId = "default")
    {
        configuration = configuration with { ArtifactDirectory = artifactDirectory };
        if (cluster is null)
        {
            await using var jobManager = new JobManagerRunner(configuration, JobManagerRunner.NewStaticFencingToken());
            await jobManager.StartAsync(cancellation).ConfigureAwait(false);
            await WaitUntilCanceledAsync(cancellation).ConfigureAwait(false);
            return;
        }

        await using var services = await RedisHighAvailabilityServices.ConnectAsync(cluster, clusterId).ConfigureAwait(false);
        await using var contender = new JobManagerLeaderContender(services, configuration, LeaderLease, (jobManager, _, _) => jobManager.RecoverJobsAsync());
        contender.Start();
        Logger.LogInformation("Rill JobManager contender {ContenderId}: cluster '{ClusterId}' at {Cluster}; standing by until elected.", contender.ContenderId, clusterId, cluster);
        await WaitUntilCanceledAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>How long a JobManager leader's lease lasts: a dead leader is replaced after at most this long.</summary>
    internal static readonly TimeSpan LeaderLease = TimeSpan.FromSeconds(5);

    /// <summary>Runs a session TaskManager that serves the JobManager at <paramref name="jobManager"/> (its REST URL) until canceled.</summary>
    /// <param name="healthPort">Where to serve <c>/health</c> (registered with a JobManager) and <c>/alive</c>; null for nowhere.</param>
    public static async Task RunTaskManagerAsync(TaskManagerConfiguration configuration, Uri jobManager, string? authToken, CancellationToken cancellation,
        int? healthPort = null)
    {
        using var retrieval = new RestLeaderRetrieval(jobManager, authToken);
        await RunTaskManagerAsync(configuration, retrieval, jobManager.ToString(), authToken, healthPort, cancellation).ConfigureAwait(false);
    }

    /// <summary>Runs a session TaskManager that follows the JobManager leader of an HA cluster until canceled.</summary>
    public static async Task RunTaskManagerAsync(TaskManagerConfiguration configuration, string cluster, string clusterId, string? authToken, CancellationToken cancellation,
        int? healthPort = null)
    {
        await using var services = await RedisHighAvailabilityServices.ConnectAsync(cluster, clusterId).ConfigureAwait(false);
        await RunTaskManagerAsync(configuration, new HighAvailabilityLeaderRetrieval(services), $"the leader of cluster '{clusterId}' at {cluster}", authToken, healthPort,
            cancellation).ConfigureAwait(false);
    }

    private static async Task RunTaskManagerAsync(TaskManagerConfiguration configuration, ILeaderRetrieval retrieval, string jobManager, string? authToken,
        int? healthPort, CancellationToken cancellation)
    {
        // Started first: /alive answers while the TaskManager starts, /health once it is registered.
        var readiness = new Observability.ProcessReadiness();
        await using var health = await Observability.HealthServer.StartIfRequestedAsync(configuration.BindAddress, healthPort, readiness, cancellation).ConfigureAwait(false);

        await using var programs = new SessionJobGraphs(retrieval, authToken, Path.Combine(Path.GetTempPath(), "rill-taskmanager-" + configuration.TaskManagerId));
        await using var taskManager = new TaskManagerRunner(configuration, retrieval, programs.ResolveAsync);
        using var registered = readiness.Add("taskmanager", () => taskManager.IsRegistered ? null : "not registered with a ResourceManager.");
        taskManager.JobEnded += programs.Release;
        await taskManager.StartAsync(cancellation).ConfigureAwait(false);
        Logger.LogInformation("Rill TaskManager {TaskManagerId}: {Slots} slots, RPC at {RpcAddress}, data at {DataAddress}, JobManager {JobManagerUrl}",
            configuration.TaskManagerId, configuration.NumberOfSlots, taskManager.RpcAddress, taskManager.DataAddress, jobManager);
        await WaitUntilCanceledAsync(cancellation).ConfigureAwait(false);
        // Asked to stop (SIGTERM, Ctrl+C): leave gracefully, so jobs give the slots back (a reactive job rescales
        // without them) instead of failing when the connection drops.
        try
        {
            if (!await taskManager.TaskExecutor.LeaveAsync(TaskExecutor.TaskManagerLeaveOnSigterm.LeaveTimeout).ConfigureAwait(false))
            {
                Logger.LogWarning("Rill TaskManager {TaskManagerId}: its slots were not released in time; stopping anyway.", configuration.TaskManagerId);
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException or HighAvailability.FencingTokenException)
        {
            Logger.LogWarning(e, "Rill TaskManager {TaskManagerId}: could not tell the JobManager it leaves ({Reason}); stopping anyway.", configuration.TaskManagerId, e.Message);
        }
    }

    private static async Task WaitUntilCanceledAsync(CancellationToken cancellation)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // asked to stop
        }
    }
}
