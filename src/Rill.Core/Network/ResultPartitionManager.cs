using System.Collections.Concurrent;

namespace Rill.Network;

/// <summary>
/// The partitions of one TaskManager. Producer and consumer may be deployed in any order, so whichever asks
/// first creates the partition.
/// </summary>
public sealed class ResultPartitionManager
{
    private readonly ConcurrentDictionary<ResultPartitionId, ResultPartition> _partitions = new();

    public ResultPartitionManager(NetworkConfig config) => Config = config;

    public NetworkConfig Config { get; }

    public ResultPartition GetOrCreate(ResultPartitionId id, int numberOfSubpartitions) =>
        _partitions.GetOrAdd(id, key => new ResultPartition(key, numberOfSubpartitions, Config));

    public int Count => _partitions.Count;

    /// <summary>Drops the partitions a job's earlier attempts produced (their readers are gone after a restart).</summary>
    public void ReleaseAttemptsBefore(Guid jobId, int attempt)
    {
        foreach (var (id, partition) in _partitions)
        {
            if (id.JobId == jobId && id.Attempt < attempt && _partitions.TryRemove(id, out _))
            {
                partition.Dispose();
            }
        }
    }

    public void ReleaseJob(Guid jobId)
    {
        foreach (var (id, partition) in _partitions)
        {
            if (id.JobId == jobId && _partitions.TryRemove(id, out _))
            {
                partition.Dispose();
            }
        }
    }
}
