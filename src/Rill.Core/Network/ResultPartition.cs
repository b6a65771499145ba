namespace Rill.Network;

/// <summary>
/// Everything one producer subtask writes to one intermediate data set: a subpartition per consumer channel,
/// all drawing buffers from one bounded pool.
/// </summary>
public sealed class ResultPartition : IDisposable
{
    public ResultPartition(ResultPartitionId id, int numberOfSubpartitions, NetworkConfig config)
    {
        Id = id;
        Subpartitions = new ResultSubpartition[numberOfSubpartitions];
        for (var i = 0; i < numberOfSubpartitions; i++)
        {
            Subpartitions[i] = new ResultSubpartition();
        }

        BufferPool = new BufferPool(config.PoolSizeFor(numberOfSubpartitions), config.SegmentSize);
    }

    public ResultPartitionId Id { get; }

    public ResultSubpartition[] Subpartitions { get; }

    public BufferPool BufferPool { get; }

    public void Release()
    {
        foreach (var subpartition in Subpartitions)
        {
            subpartition.Release();
        }
    }

    public void Dispose() => Release();
}
