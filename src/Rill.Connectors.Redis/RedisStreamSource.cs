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
/// default), it keeps reading new entries. Records carry the entry id's milliseconds as their timestamp.
/// Parallelism is capped at the number of streams, so no reader sits without a stream (and holds back watermarks).
/// </summary>
public sealed class RedisStreamSource<T> : ISource<T, RedisStreamSplit>
{
    private readonly RedisStreamSourceOptions<T> _options;

    internal RedisStreamSource(RedisStreamSourceOptions<T> options) => _options = options;

    public static RedisStreamSourceBuilder<T> Builder() => new();

    public Boundedness Boundedness => _options.Bounded ? Boundedness.Bounded : Boundedness.ContinuousUnbounded;

    public int? MaxParallelism => _options.Streams.Count;

    public ISplitEnumerator<RedisStreamSplit> CreateEnumerator(ISplitEnumeratorContext<RedisStreamSplit> context) =>
        new RedisStreamSplitEnumerator<T>(context, _options,
            [.. _options.Streams.Select(stream => new RedisStreamSplit(stream, _options.StartingId == RedisStreamSourceOptions<T>.Latest ? "0-0" : _options.StartingId))],
            resolveOnStart: true);

    public ISplitEnumerator<RedisStreamSplit> RestoreEnumerator(ISplitEnumeratorContext<RedisStreamSplit> context, IReadOnlyList<RedisStreamSplit> unassignedSplits) =>
        new RedisStreamSplitEnumerator<T>(context, _options, unassignedSplits, resolveOnStart: false);

    public ISourceReader<T, RedisStreamSplit> CreateReader(ISourceReaderContext context) => new RedisStreamSourceReader<T>(_options, context);
}
