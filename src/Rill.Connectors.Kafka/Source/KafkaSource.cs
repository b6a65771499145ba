using Rill.Sources;

namespace Rill.Connectors.Kafka.Source;

/// <summary>
/// Reads Kafka topics as a FLIP-27 source (Flink's KafkaSource): partitions are splits, handed to source subtasks by an
/// enumerator on the JobManager side; readers <c>Assign</c> them (never subscribe); the offsets are the checkpointed state
/// and are committed to the group only after a checkpoint completes. Build one with <see cref="Builder"/>.
/// </summary>
public sealed class KafkaSource<T> : ISource<T, KafkaPartitionSplit>
{
    internal KafkaSource(KafkaSourceSettings settings, IKafkaRecordDeserializer<T> deserializer)
    {
        Settings = settings;
        Deserializer = deserializer;
    }

    internal KafkaSourceSettings Settings { get; }

    internal IKafkaRecordDeserializer<T> Deserializer { get; }

    public static KafkaSourceBuilder<T> Builder() => new();

    public Boundedness Boundedness => Settings.IsBounded ? Boundedness.Bounded : Boundedness.ContinuousUnbounded;

    public ISplitEnumerator<KafkaPartitionSplit> CreateEnumerator(ISplitEnumeratorContext<KafkaPartitionSplit> context) =>
        new KafkaSourceEnumerator(context, Settings, []);

    public ISplitEnumerator<KafkaPartitionSplit> RestoreEnumerator(ISplitEnumeratorContext<KafkaPartitionSplit> context, IReadOnlyList<KafkaPartitionSplit> unassignedSplits) =>
        new KafkaSourceEnumerator(context, Settings, unassignedSplits);

    public ISourceReader<T, KafkaPartitionSplit> CreateReader(ISourceReaderContext context) => new KafkaSourceReader<T>(context, Settings, Deserializer);
}
