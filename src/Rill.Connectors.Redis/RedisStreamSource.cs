using Rill.Sources;

namespace Rill.Connectors.Redis;

/// <summary>
/// Reads Redis streams (FLIP-27): one split per stream, assigned round-robin to the readers, each of which reads its
/// streams with XREAD from the last id it emitted. That last id per stream is the checkpointed state, so a restore
/// resumes right after the last entry before the checkpoint: no duplicates, no gaps (with an exactly-once sink
/// downstream, exactly-once end to end). Nothing is acknowledged in Redis: positions live only in Rill's checkpoints,
/// as Flink's Kafka source keeps offsets in its own state.
/// Optionally a consumer group shows the checkpointed positions (<see cref="RedisStreamSourceBuilder{T}.SetMonitoringGroup"/>).
/// Bounded, the source reads each stream up to its last entry at the moment the job started and ends; unbounded (the
/// default), it keeps reading new entries. Records carry the entry id's milliseconds as their timestamp, and each stream
/// has its own watermark (the reader's is the minimum over its streams), so a stream that runs ahead makes no entry of
/// another late.
/// Parallelism is capped at the number of streams, so every reader has a stream to read.
/// </summary>
public sealed class RedisStreamSource<T> : ISource<T, RedisStreamSplit>
{
    private readonly RedisStreamSourceOptions<T> _options;

    internal RedisStreamSource(RedisStreamSourceOptions<T> options) => _options = options;

    public static RedisStreamSourceBuilder<T> Builder() => new();

    public Boundedness Boundedness => _options.Bounded ? Boundedness.Bounded : Boundedness.ContinuousUnbounded;

    public int? MaxParallelism => _options.Streams.Count;

    public ISplitEnumerator<RedisStreamSplit> CreateEnumerator(ISplitEnumeratorContext<RedisStreamSplit> context) =>
        // A "$" start and a bounded end are the stream's last entry when the job starts: the enumerator resolves them.
        new RedisStreamSplitEnumerator<T>(context, _options,
            [.. _options.Streams.Select(stream => new RedisStreamSplit(stream, _options.StartingId, _options.Bounded ? RedisStreamSplit.LastEntryNow : null))]);

    public ISplitEnumerator<RedisStreamSplit> RestoreEnumerator(ISplitEnumeratorContext<RedisStreamSplit> context, IReadOnlyList<RedisStreamSplit> unassignedSplits) =>
        new RedisStreamSplitEnumerator<T>(context, _options, unassignedSplits);

    public ISourceReader<T, RedisStreamSplit> CreateReader(ISourceReaderContext context) => new RedisStreamSourceReader<T>(_options, context);
}
