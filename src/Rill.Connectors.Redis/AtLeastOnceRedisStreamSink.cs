using Rill.Sinks;

namespace Rill.Connectors.Redis;

/// <summary>
/// The Redis Streams sink with <see cref="DeliveryGuarantee.AtLeastOnce"/>: entries appear at once (no wait for the
/// checkpoint), are durable at each checkpoint, and a restart appends those after the restored checkpoint again.
/// Deliberately not two-phase-committing, so a checkpointed job uses its plain writer.
/// </summary>
internal sealed class AtLeastOnceRedisStreamSink<T>(RedisStreamSinkOptions<T> options) : ISink<T>
{
    public ISinkWriter<T> CreateWriter(SinkWriterContext context) => new RedisStreamAppendWriter<T>(options, context);
}
