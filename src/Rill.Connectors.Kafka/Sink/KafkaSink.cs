using Rill.Sinks;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// Writes a stream to Kafka (Flink's KafkaSink): <c>stream.SinkTo(KafkaSink&lt;T&gt;.Builder()...Build(), "Kafka Sink")</c>.
/// Each parallel subtask writes through its own producer; the <see cref="Sink.DeliveryGuarantee"/> decides what a
/// failure can do to the output. <see cref="DeliveryGuarantee.ExactlyOnce"/> commits Kafka transactions with
/// checkpoints and refuses to run without checkpointing.
/// </summary>
public sealed class KafkaSink<T> : IStatefulTwoPhaseCommittingSink<T, KafkaCommittable, KafkaWriterState>
{
    private readonly KafkaSinkSettings<T> _settings;

    internal KafkaSink(KafkaSinkSettings<T> settings) => _settings = settings;

    public static KafkaSinkBuilder<T> Builder() => new();

    public DeliveryGuarantee DeliveryGuarantee => _settings.DeliveryGuarantee;

    public string? TransactionalIdPrefix => _settings.TransactionalIdPrefix;

    /// <summary>The writer of a job without checkpointing.</summary>
    public ISinkWriter<T> CreateWriter(SinkWriterContext context)
    {
        if (_settings.DeliveryGuarantee == DeliveryGuarantee.ExactlyOnce)
        {
            // Flink's sink would write transactions nobody ever commits: nothing would be visible to read_committed
            // consumers. A clear refusal at start is kinder.
            throw new InvalidOperationException(
                $"The Kafka sink '{context.OperatorName}' has DeliveryGuarantee.ExactlyOnce, which commits its Kafka transactions when checkpoints complete, "
                + "but the job has no checkpointing: enable it (env.EnableCheckpointing(interval)) or use DeliveryGuarantee.AtLeastOnce.");
        }

        return new KafkaSinkWriter<T>(_settings, context);
    }

    public ICommittingSinkWriter<T, KafkaCommittable> CreateCommittingWriter(SinkWriterContext context) => NewWriter(context, null, []);

    public IStatefulCommittingSinkWriter<T, KafkaCommittable, KafkaWriterState> RestoreCommittingWriter(SinkWriterContext context, long restoredCheckpointId, IReadOnlyList<KafkaWriterState> recoveredStates) =>
        NewWriter(context, restoredCheckpointId, recoveredStates);

    public ICommitter<KafkaCommittable> CreateCommitter() => new KafkaCommitter<T>(_settings);

    private IStatefulCommittingSinkWriter<T, KafkaCommittable, KafkaWriterState> NewWriter(SinkWriterContext context, long? restoredCheckpointId, IReadOnlyList<KafkaWriterState> restored)
    {
        if (_settings.DeliveryGuarantee == DeliveryGuarantee.ExactlyOnce)
        {
            return new TransactionalKafkaSinkWriter<T>(_settings, context, restoredCheckpointId, restored);
        }

        if (restoredCheckpointId is { } restoredId && restored.Count > 0)
        {
            // The job ran exactly-once before: end what its writers may have left open, or read_committed consumers stall.
            // This writer opens no transaction of its own, so its own index's {R+1} is lingering too.
            new LingeringTransactionAborter<T>(_settings, context).AbortLingering(restoredId, restored, ownFirstNumber: restoredId);
        }

        return new KafkaSinkWriter<T>(_settings, context);
    }
}
