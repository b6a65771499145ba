using Confluent.Kafka;
using Rill.Sources;

namespace Rill.Connectors.Kafka.Source;

/// <summary>
/// Finds the partitions to read and hands each to one reader (Flink's KafkaSourceEnumerator). Partition discovery (metadata
/// and offset requests) runs off the coordinator thread through <see cref="ISplitEnumeratorContext{TSplit}.CallAsync"/>;
/// everything else runs on it, so no locks. A partition's reader is fixed by a stable hash, so it is the same in every
/// process and run; a partition whose reader has not registered yet waits for it.
/// </summary>
internal sealed class KafkaSourceEnumerator : ISplitEnumerator<KafkaPartitionSplit>, IDisposable
{
    private readonly ISplitEnumeratorContext<KafkaPartitionSplit> _context;
    private readonly KafkaSourceSettings _settings;
    private readonly HashSet<TopicPartition> _assigned = [];
    private readonly Dictionary<TopicPartition, KafkaPartitionSplit> _unassigned = [];
    private readonly HashSet<int> _readers = [];
    private readonly Lazy<PartitionDiscovery> _discovery;
    // Read by discovery off the coordinator thread: replaced (never changed) on the coordinator thread.
    private volatile IReadOnlySet<TopicPartition> _known = new HashSet<TopicPartition>();
    private bool _initialDiscoveryDone;
    private readonly Lock _discoveryLock = new();
    private bool _disposed;

    public KafkaSourceEnumerator(ISplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceSettings settings, IReadOnlyList<KafkaPartitionSplit> restored)
    {
        _context = context;
        _settings = settings;
        _discovery = new Lazy<PartitionDiscovery>(() => new PartitionDiscovery(settings), LazyThreadSafetyMode.ExecutionAndPublication);
        foreach (var split in restored)
        {
            var partition = new TopicPartition(split.Topic, split.Partition);
            if (split.AlreadyAssigned)
            {
                _assigned.Add(partition);
            }
            else
            {
                _unassigned[partition] = split;
            }
        }

        PublishKnown();
    }

    public void Start()
    {
        // Unbounded sources look again periodically; bounded ones read the partitions that existed at the start.
        var period = _settings.IsBounded ? TimeSpan.Zero : _settings.PartitionDiscoveryInterval;
        _context.CallAsync(Discover, OnDiscovered, TimeSpan.Zero, period);
    }

    private void OnDiscovered(IReadOnlyList<KafkaPartitionSplit>? splits, Exception? error)
    {
        if (error is not null)
        {
            // The first discovery decides whether the job can run at all (a missing topic, an unreachable broker); later
            // ones fail the job too, since silently not reading new partitions is worse.
            throw error as KafkaSourceException ?? new KafkaSourceException($"Kafka partition discovery for {_settings.Describe()} failed: {error.Message}", error);
        }

        foreach (var split in splits ?? [])
        {
            // Discovery works from a snapshot of the known partitions: one handed out meanwhile is not new.
            var partition = new TopicPartition(split.Topic, split.Partition);
            if (!_assigned.Contains(partition))
            {
                _unassigned.TryAdd(partition, split);
            }
        }

        PublishKnown();
        _initialDiscoveryDone = true;
        foreach (var reader in _readers)
        {
            AssignPendingTo(reader);
        }
    }

    public void AddReader(int subtask)
    {
        _readers.Add(subtask);
        if (_initialDiscoveryDone)
        {
            AssignPendingTo(subtask);
        }
    }

    /// <summary>Kafka readers do not ask for splits: they get theirs pushed when they register and when partitions appear.</summary>
    public void HandleSplitRequest(int subtask)
    {
    }

    public void AddSplitsBack(IReadOnlyList<KafkaPartitionSplit> splits, int subtask)
    {
        foreach (var split in splits)
        {
            var partition = new TopicPartition(split.Topic, split.Partition);
            _assigned.Remove(partition);
            _unassigned[partition] = split;
        }

        if (_readers.Contains(subtask))
        {
            AssignPendingTo(subtask);
        }
    }

    public IReadOnlyList<KafkaPartitionSplit> SnapshotState(long checkpointId) =>
        [.. _unassigned.Values, .. _assigned.Select(p => new KafkaPartitionSplit(p.Topic, p.Partition.Value, Offset.Unset.Value, AlreadyAssigned: true))];

    private void AssignPendingTo(int subtask)
    {
        foreach (var (partition, split) in _unassigned.Where(p => SplitOwner.Of(p.Key, _context.CurrentParallelism) == subtask).ToList())
        {
            _context.AssignSplit(split, subtask);
            _unassigned.Remove(partition);
            _assigned.Add(partition);
        }

        // Bounded: nothing new will come once the partitions that existed at the start are handed out.
        if (_settings.IsBounded && _initialDiscoveryDone)
        {
            _context.SignalNoMoreSplits(subtask);
        }
    }

    private void PublishKnown() => _known = new HashSet<TopicPartition>(_assigned.Concat(_unassigned.Keys));

    /// <summary>Runs on the coordinator thread while a discovery may be starting on another: the lock decides who releases the clients.</summary>
    public void Dispose()
    {
        lock (_discoveryLock)
        {
            _disposed = true;
            if (_discovery.IsValueCreated)
            {
                _discovery.Value.Dispose();
            }
        }
    }

    private IReadOnlyList<KafkaPartitionSplit> Discover()
    {
        PartitionDiscovery discovery;
        lock (_discoveryLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            discovery = _discovery.Value;
        }

        return discovery.DiscoverNew(_known);
    }
}
