namespace Rill.Runtime.HighAvailability;

/// <summary>The current JobManager leader: who, where to reach it, and the fencing token of its term.</summary>
public sealed record LeaderInfo(string ContenderId, string Address, long FencingToken);

/// <summary>
/// A submitted job as the job store keeps it: the application to run (artifact, entry point, arguments), never a
/// serialized graph, because every process rebuilds the graph by running the program.
/// </summary>
/// <remarks>Session mode adds the uploaded artifact, the entry class and the parallelism the job was run with.</remarks>
/// <remarks>A job started from a savepoint keeps it here: a new leader resumes from the job's latest checkpoint, else from that savepoint.</remarks>
public sealed record JobSubmission(Guid JobId, string JobName, string EntryPoint, IReadOnlyList<string> Arguments, string? ArtifactId = null,
    string? EntryClass = null, int? Parallelism = null, Checkpointing.SavepointRestoreSettings? SavepointRestore = null);

/// <summary>
/// How a job ended, kept after the job leaves the job store so that processes that did not run it (application-mode
/// TaskManagers, a client polling after a failover) still learn its outcome (Flink's JobResultStore).
/// </summary>
public sealed record JobResultEntry(Guid JobId, string Status, long NetRuntimeMs, IReadOnlyDictionary<string, long> Accumulators,
    string? FailureType, string? FailureMessage, DateTimeOffset FinishedAt)
{
    /// <summary>The entry for a job's result, finished now; the failure type is the root cause's (its original type if it came from another process).</summary>
    public static JobResultEntry From(Messages.JobResult result)
    {
        var cause = result.Failure is { InnerException: { } inner } ? inner : result.Failure;
        return new JobResultEntry(result.JobId, result.Status.ToString(), (long)result.NetRuntime.TotalMilliseconds, result.Accumulators.ToDictionary(),
            cause is Rpc.RemoteException remote ? remote.OriginalTypeName : cause?.GetType().FullName, result.Failure?.Message, DateTimeOffset.UtcNow);
    }
}

/// <summary>Where a completed checkpoint's metadata is; the HA services keep the retained ones of each job, newest last.</summary>
public sealed record CheckpointPointer(long CheckpointId, string MetadataPath, DateTimeOffset Timestamp);

/// <summary>A write carried a fencing token that is not the current leader's: the writer has lost leadership.</summary>
public sealed class FencingTokenException(string message) : Exception(message);

/// <summary>
/// What a cluster needs to survive a JobManager failure (Flink's HighAvailabilityServices): leader election with a
/// lease and a fencing token, leader discovery, and the job store. Every write is fenced: it succeeds only with the
/// token of the current leadership term, so a paused old leader cannot overwrite anything after a takeover.
/// </summary>
public interface IHighAvailabilityServices : IAsyncDisposable
{
    /// <summary>
    /// Acquires leadership when nobody holds it, or renews this contender's lease. Returns the current leader either
    /// way; the caller leads only if <see cref="LeaderInfo.ContenderId"/> is its own id, and must use the returned
    /// token (a new term gets a new, higher token).
    /// </summary>
    Task<LeaderInfo> AcquireOrRenewLeadershipAsync(string contenderId, string address, TimeSpan lease);

    /// <summary>Gives leadership up at once (a clean shutdown), so a standby need not wait for the lease to expire.</summary>
    Task ReleaseLeadershipAsync(LeaderInfo leadership);

    /// <summary>The current leader, or null when nobody holds a valid lease.</summary>
    Task<LeaderInfo?> GetLeaderAsync();

    /// <summary>Stores or replaces a job. Throws <see cref="FencingTokenException"/> unless the token is the current leader's.</summary>
    Task PutJobAsync(long fencingToken, JobSubmission job);

    /// <summary>Removes a job (it reached a terminal state). Fenced like <see cref="PutJobAsync"/>.</summary>
    Task RemoveJobAsync(long fencingToken, Guid jobId);

    Task<IReadOnlyList<JobSubmission>> GetJobsAsync();

    /// <summary>Publishes where the leader of this term answers (its endpoints start after it wins). Fenced.</summary>
    Task PublishLeaderAddressAsync(long fencingToken, string address);

    /// <summary>Records a job's outcome. Fenced.</summary>
    Task PutJobResultAsync(long fencingToken, JobResultEntry result);

    /// <summary>Forgets a job's earlier outcome (a new run of the same application job starts). Fenced.</summary>
    Task RemoveJobResultAsync(long fencingToken, Guid jobId);

    /// <summary>The recorded outcome of a job, or null.</summary>
    Task<JobResultEntry?> GetJobResultAsync(Guid jobId);

    /// <summary>Hands out the job's next checkpoint id (1, 2, …; never one twice, across leaders). Fenced.</summary>
    Task<long> NextCheckpointIdAsync(long fencingToken, Guid jobId);

    /// <summary>Replaces the job's retained completed checkpoints (empty: forget them). Fenced.</summary>
    Task PutCheckpointPointersAsync(long fencingToken, Guid jobId, IReadOnlyList<CheckpointPointer> checkpoints);

    /// <summary>The job's retained completed checkpoints, oldest first.</summary>
    Task<IReadOnlyList<CheckpointPointer>> GetCheckpointPointersAsync(Guid jobId);
}
