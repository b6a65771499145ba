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
    /// <summary>Runs a session JobManager until <paramref name="cancellation"/> fires (Ctrl+C, SIGTERM).</summary>
    /// <param name="artifactDirectory">Where uploaded applications are kept.</param>
    public static async Task RunJobManagerAsync(JobManagerConfiguration configuration, string artifactDirectory, CancellationToken cancellation)
    {
        await using var jobManager = new JobManagerRunner(configuration with { ArtifactDirectory = artifactDirectory }, JobManagerRunner.NewStaticFencingToken());
        await jobManager.StartAsync(cancellation).ConfigureAwait(false);
        await WaitUntilCanceledAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Runs a session TaskManager that serves the JobManager at <paramref name="jobManager"/> (its REST URL) until canceled.</summary>
    public static async Task RunTaskManagerAsync(TaskManagerConfiguration configuration, Uri jobManager, string? authToken, CancellationToken cancellation)
    {
        using var retrieval = new RestLeaderRetrieval(jobManager, authToken);
        await using var programs = new SessionJobGraphs(jobManager, authToken, Path.Combine(Path.GetTempPath(), "rill-taskmanager-" + configuration.TaskManagerId));
        await using var taskManager = new TaskManagerRunner(configuration, retrieval, programs.ResolveAsync);
        taskManager.JobEnded += programs.Release;
        await taskManager.StartAsync(cancellation).ConfigureAwait(false);
        Console.Error.WriteLine($"Rill TaskManager {configuration.TaskManagerId}: {configuration.NumberOfSlots} slots, RPC at {taskManager.RpcAddress}, data at {taskManager.DataAddress}, JobManager {jobManager}");
        await WaitUntilCanceledAsync(cancellation).ConfigureAwait(false);
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
