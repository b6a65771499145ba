namespace Rill.Runtime.HighAvailability;

/// <summary>
/// In-memory HA services for a single process (the embedded mini cluster): the same contract as the Redis
/// implementation, so code written against one runs against the other.
/// </summary>
public sealed class EmbeddedHighAvailabilityServices(TimeProvider? clock = null) : IHighAvailabilityServices
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, JobSubmission> _jobs = [];
    private readonly Dictionary<Guid, JobResultEntry> _results = [];
    private readonly Dictionary<Guid, long> _checkpointIds = [];
    private readonly Dictionary<Guid, IReadOnlyList<CheckpointPointer>> _checkpoints = [];
    private LeaderInfo? _leader;
    private DateTimeOffset _leaseExpiry;
    private long _lastToken;

    public Task<LeaderInfo> AcquireOrRenewLeadershipAsync(string contenderId, string address, TimeSpan lease)
    {
        lock (_lock)
        {
            var now = _clock.GetUtcNow();
            var current = CurrentLeader(now);
            if (current is null)
            {
                _leader = new LeaderInfo(contenderId, address, ++_lastToken);
                _leaseExpiry = now + lease;
            }
            else if (current.ContenderId == contenderId)
            {
                _leaseExpiry = now + lease;
            }

            return Task.FromResult(_leader!);
        }
    }

    public Task ReleaseLeadershipAsync(LeaderInfo leadership)
    {
        lock (_lock)
        {
            if (CurrentLeader(_clock.GetUtcNow())?.FencingToken == leadership.FencingToken)
            {
                _leader = null;
            }
        }

        return Task.CompletedTask;
    }

    public Task<LeaderInfo?> GetLeaderAsync()
    {
        lock (_lock)
        {
            return Task.FromResult(CurrentLeader(_clock.GetUtcNow()));
        }
    }

    public Task PutJobAsync(long fencingToken, JobSubmission job)
    {
        lock (_lock)
        {
            CheckToken(fencingToken);
            _jobs[job.JobId] = job;
        }

        return Task.CompletedTask;
    }

    public Task RemoveJobAsync(long fencingToken, Guid jobId)
    {
        lock (_lock)
        {
            CheckToken(fencingToken);
            _jobs.Remove(jobId);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<JobSubmission>> GetJobsAsync()
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<JobSubmission>>(_jobs.Values.ToList());
        }
    }

    public Task PublishLeaderAddressAsync(long fencingToken, string address)
    {
        lock (_lock)
        {
            CheckToken(fencingToken);
            _leader = _leader! with { Address = address };
        }

        return Task.CompletedTask;
    }

    public Task PutJobResultAsync(long fencingToken, JobResultEntry result)
    {
        lock (_lock)
        {
            CheckToken(fencingToken);
            // A snapshot, as Redis keeps one: later changes to the caller's dictionary must not change the record.
            _results[result.JobId] = result with { Accumulators = new Dictionary<string, long>(result.Accumulators) };
        }

        return Task.CompletedTask;
    }

    public Task RemoveJobResultAsync(long fencingToken, Guid jobId)
    {
        lock (_lock)
        {
            CheckToken(fencingToken);
            _results.Remove(jobId);
        }

        return Task.CompletedTask;
    }

    public Task<JobResultEntry?> GetJobResultAsync(Guid jobId)
    {
        lock (_lock)
        {
            return Task.FromResult(_results.GetValueOrDefault(jobId));
        }
    }

    public Task<long> NextCheckpointIdAsync(long fencingToken, Guid jobId)
    {
        lock (_lock)
        {
            CheckToken(fencingToken);
            var next = _checkpointIds.GetValueOrDefault(jobId) + 1;
            _checkpointIds[jobId] = next;
            return Task.FromResult(next);
        }
    }

    public Task PutCheckpointPointersAsync(long fencingToken, Guid jobId, IReadOnlyList<CheckpointPointer> checkpoints)
    {
        lock (_lock)
        {
            CheckToken(fencingToken);
            if (checkpoints.Count == 0)
            {
                _checkpoints.Remove(jobId);
            }
            else
            {
                _checkpoints[jobId] = checkpoints.ToList();
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CheckpointPointer>> GetCheckpointPointersAsync(Guid jobId)
    {
        lock (_lock)
        {
            return Task.FromResult(_checkpoints.GetValueOrDefault(jobId) ?? []);
        }
    }

    private LeaderInfo? CurrentLeader(DateTimeOffset now) => _leader is not null && now < _leaseExpiry ? _leader : null;

    private void CheckToken(long fencingToken)
    {
        var current = CurrentLeader(_clock.GetUtcNow());
        if (current?.FencingToken != fencingToken)
        {
            throw new FencingTokenException(
                $"Refused a write with fencing token {fencingToken}: the current leadership term is {(current is null ? "none (lease expired)" : current.FencingToken.ToString(System.Globalization.CultureInfo.InvariantCulture))}.");
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
