using Rill.Runtime.HighAvailability;

namespace Rill.Runtime.Checkpoint;

/// <summary>
/// The checkpoint id counter and the retained completed checkpoints of jobs (Flink's CheckpointIDCounter and
/// CompletedCheckpointStore): in memory embedded, in the HA services (Redis, fenced by the leader's token) in a cluster,
/// so a new leader resumes from the latest checkpoint of the old one.
/// </summary>
public interface ICompletedCheckpointStore
{
    Task<long> NextCheckpointIdAsync(Guid jobId);

    Task<IReadOnlyList<CheckpointPointer>> GetAsync(Guid jobId);

    Task PutAsync(Guid jobId, IReadOnlyList<CheckpointPointer> retained);
}

/// <summary>The store of a JobManager without HA: the process's memory.</summary>
public sealed class InMemoryCompletedCheckpointStore : ICompletedCheckpointStore
{
    private readonly EmbeddedHighAvailabilityServices _services = new();
    private readonly long _token;

    public InMemoryCompletedCheckpointStore() => _token = _services.AcquireOrRenewLeadershipAsync("embedded", "", TimeSpan.MaxValue / 4).Result.FencingToken;

    public Task<long> NextCheckpointIdAsync(Guid jobId) => _services.NextCheckpointIdAsync(_token, jobId);

    public Task<IReadOnlyList<CheckpointPointer>> GetAsync(Guid jobId) => _services.GetCheckpointPointersAsync(jobId);

    public Task PutAsync(Guid jobId, IReadOnlyList<CheckpointPointer> retained) => _services.PutCheckpointPointersAsync(_token, jobId, retained);
}

/// <summary>The store of an HA JobManager's term: every write carries the term's fencing token.</summary>
public sealed class HighAvailabilityCompletedCheckpointStore(IHighAvailabilityServices services, long fencingToken) : ICompletedCheckpointStore
{
    public Task<long> NextCheckpointIdAsync(Guid jobId) => services.NextCheckpointIdAsync(fencingToken, jobId);

    public Task<IReadOnlyList<CheckpointPointer>> GetAsync(Guid jobId) => services.GetCheckpointPointersAsync(jobId);

    public Task PutAsync(Guid jobId, IReadOnlyList<CheckpointPointer> retained) => services.PutCheckpointPointersAsync(fencingToken, jobId, retained);
}
