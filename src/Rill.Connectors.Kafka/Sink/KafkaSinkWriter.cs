using Rill.Sinks;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// The writer for <see cref="DeliveryGuarantee.None"/> and <see cref="DeliveryGuarantee.AtLeastOnce"/>: one producer,
/// no transactions. At-least-once waits at each checkpoint until Kafka acknowledged every record sent before it, so
/// the checkpoint only completes once they are durable.
/// </summary>
internal sealed class KafkaSinkWriter<T> : IStatefulCommittingSinkWriter<T, KafkaCommittable, KafkaWriterState>
{
    private readonly KafkaSinkSettings<T> _settings;
    private readonly SinkProducer _producer;

    public KafkaSinkWriter(KafkaSinkSettings<T> settings, SinkWriterContext context)
    {
        _settings = settings;
        _producer = new SinkProducer(settings.ProducerConfig($"rill-kafka-sink-{context.SubtaskIndex}", transactionalId: null), trackDeliveries: false);
    }

    public void Write(T value, long? timestamp) => _producer.Send(_settings.Serializer.Serialize(value, timestamp));

    public void Flush(bool endOfInput)
    {
        if (endOfInput || _settings.DeliveryGuarantee == DeliveryGuarantee.AtLeastOnce)
        {
            _producer.FlushAll();
        }
        else
        {
            _producer.ThrowIfFailed();
        }
    }

    public IReadOnlyList<KafkaCommittable> PrepareCommit(long checkpointId)
    {
        Flush(endOfInput: false);
        return [];
    }

    public IReadOnlyList<KafkaWriterState> SnapshotState(long checkpointId) => [];

    public void Dispose() => _producer.Dispose();
}
