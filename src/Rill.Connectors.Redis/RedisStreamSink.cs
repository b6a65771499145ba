using Rill.Sinks;

namespace Rill.Connectors.Redis;

/// <summary>
/// Appends each record as an entry to a Redis stream, exactly once in a checkpointed job (a two-phase-committing sink,
/// as Flink's exactly-once sinks): the writer keeps the records of a checkpoint interval, the checkpoint stores them as
/// committables, and once it completes the committer appends them. A restore commits the restored checkpoint's
/// committables again, and a per-writer commit marker in Redis (see <see cref="RedisStreamCommitter{T}"/>) makes that
/// append nothing the second time; records after the checkpoint are replayed by the sources and appended with a later
/// checkpoint. Entries therefore appear once per checkpoint, with the latency of the checkpoint interval.
/// <para>
/// Why not explicit entry ids derived from (checkpoint, subtask, sequence), written as records arrive? Redis requires
/// ids to increase per stream, but parallel subtasks write (and commit) independently: subtask 1's ids of a checkpoint
/// would block subtask 0's smaller ones, so each stream could have only one writer; ids with the checkpoint id as
/// milliseconds would also sort before every ordinary entry of a stream that already has some, and a replay is not
/// guaranteed to produce the same records in the same order (so matching ids would not mean matching entries). The
/// checkpointed committables fix the content, and the marker makes appending it idempotent whatever the ids are.
/// </para>
/// <para>
/// Markers expire after <see cref="RedisStreamSinkBuilder{T}.SetCommitMarkerTimeToLive"/> (7 days by default, as
/// Kafka's transactional.id.expiration.ms): restoring a checkpoint or savepoint older than that may append its last
/// committed entries again. Without checkpointing the sink appends at once and at-least-once
/// (see <see cref="DeliveryGuarantee.AtLeastOnce"/>, which a checkpointed job can also choose for lower latency).
/// </para>
/// </summary>
public sealed class RedisStreamSink<T> : ITwoPhaseCommittingSink<T, RedisStreamCommittable>
{
    private readonly RedisStreamSinkOptions<T> _options;

    internal RedisStreamSink(RedisStreamSinkOptions<T> options) => _options = options;

    public static RedisStreamSinkBuilder<T> Builder() => new();

    public ICommittingSinkWriter<T, RedisStreamCommittable> CreateCommittingWriter(SinkWriterContext context) =>
        new RedisStreamBufferingWriter<T>(_options, context);

    public ICommitter<RedisStreamCommittable> CreateCommitter() => new RedisStreamCommitter<T>(_options);

    /// <summary>The writer of a job without checkpoints: nothing to commit with, so entries are appended at once.</summary>
    public ISinkWriter<T> CreateWriter(SinkWriterContext context) => new RedisStreamAppendWriter<T>(_options, context);
}
