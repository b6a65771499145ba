namespace Rill.Connectors.Kafka.Source;

/// <summary>
/// One Kafka partition as a source split (Flink's KafkaPartitionSplit): read from <see cref="StartingOffset"/> (the next
/// offset to read; always a concrete offset, resolved by the enumerator) up to <see cref="StoppingOffset"/> (exclusive;
/// null for unbounded reading). A reader's checkpoint holds its splits with the offsets it reached, so a restore resumes at
/// the next record.
/// </summary>
/// <param name="AlreadyAssigned">
/// Only in the enumerator's own checkpoint: a partition it had handed out (the reader's checkpoint has its offset), kept so
/// that discovery after a restore does not hand it out a second time.
/// </param>
public sealed record KafkaPartitionSplit(string Topic, int Partition, long StartingOffset, long? StoppingOffset = null, bool AlreadyAssigned = false)
    : Rill.Sources.ISourceSplit
{
    public string SplitId => $"{Topic}-{Partition}";

    /// <summary>True when there is nothing to read: a bounded split whose start reached its stop.</summary>
    public bool IsFinished => StoppingOffset is { } stop && StartingOffset >= stop;

    public override string ToString() => $"{Topic}[{Partition}]@{StartingOffset}" + (StoppingOffset is { } s ? $"..{s}" : "");
}
