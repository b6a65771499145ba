using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>A step of the exactly-once protocol, reported to an observer (tests see what the sink did with which transactional id).</summary>
internal enum KafkaTransactionStep
{
    /// <summary>A producer initialized the transactional id and began a transaction.</summary>
    Began,

    /// <summary>The transaction's records were all acknowledged at a checkpoint; it waits for the checkpoint to complete.</summary>
    PreCommitted,

    /// <summary>The producer that wrote the transaction committed it.</summary>
    Committed,

    /// <summary>A restored committable that this process had already committed: nothing to do.</summary>
    CommittedEarlier,

    /// <summary>A restored committable whose producer is gone (another process wrote it): finalized with InitTransactions, which aborts it if it was still open.</summary>
    FinalizedWithoutProducer,

    /// <summary>A pre-committed transaction of a checkpoint that was not restored, aborted by its own producer.</summary>
    AbortedPrepared,

    /// <summary>InitTransactions on a transactional id that may linger: aborts any transaction left open under it. <see cref="KafkaTransactionEvent.Epoch"/> 0 means the id was never used.</summary>
    Fenced,
}

/// <param name="Producer">A process-wide number of the producer instance, so reuses of one transactional id are told apart.</param>
/// <param name="Records">For <see cref="KafkaTransactionStep.PreCommitted"/>: where each record of the transaction landed.</param>
internal sealed record KafkaTransactionEvent(KafkaTransactionStep Step, string TransactionalId, long Producer, IReadOnlyList<TopicPartitionOffset> Records, short? Epoch = null);
