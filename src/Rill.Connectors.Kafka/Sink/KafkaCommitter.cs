using Microsoft.Extensions.Logging;
using Rill.Logging;
using Rill.Sinks;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// Commits pre-committed transactions when their checkpoint completed, and those of a restored checkpoint (Flink's
/// recoverAndCommit). A transaction is committed by the producer that wrote it, taken from
/// <see cref="PreparedTransactions"/>. When that producer is not in this process (another process wrote the transaction),
/// librdkafka offers no way to commit it: a new producer with its transactional id runs InitTransactions, which leaves a
/// committed transaction as it is and aborts one that is still open. See Sink/README.md for when that loses records.
/// </summary>
internal sealed class KafkaCommitter<T>(KafkaSinkSettings<T> settings) : ICommitter<KafkaCommittable>
{
    private static readonly ILogger Logger = RillLogging.CreateLogger(typeof(KafkaCommitter<>));
    public void Commit(IReadOnlyList<KafkaCommittable> committables)
    {
        foreach (var committable in committables)
        {
            var id = committable.TransactionalId;
            if (PreparedTransactions.Take(id) is { } producer)
            {
                using (producer)
                {
                    TransactionCalls.CommitTransaction(producer);
                }

                PreparedTransactions.RememberCommitted(id);
                settings.Observe(KafkaTransactionStep.Committed, id, producer.Instance);
            }
            else if (PreparedTransactions.WasCommitted(id))
            {
                settings.Observe(KafkaTransactionStep.CommittedEarlier, id, 0);
            }
            else if (PreparedTransactions.HasExpired(id))
            {
                // Its checkpoint completed only after transaction.timeout.ms: Kafka aborted it, the records are gone.
                throw new KafkaSinkException($"The Kafka transaction '{id}' was pre-committed longer than transaction.timeout.ms before its checkpoint completed, "
                    + "so Kafka aborted it and its records are lost. Raise transaction.timeout.ms above the longest time between checkpoints.");
            }
            else
            {
                FinalizeWithoutProducer(id);
            }
        }
    }

    private void FinalizeWithoutProducer(string transactionalId)
    {
        using var producer = new SinkProducer(settings.ProducerConfig("rill-kafka-sink-recovery", transactionalId), trackDeliveries: false);
        TransactionCalls.InitTransactions(producer);
        settings.Observe(KafkaTransactionStep.FinalizedWithoutProducer, transactionalId, producer.Instance);
        // Not an error: usually the other process committed it before it failed. Said anyway, since librdkafka cannot
        // tell, and an abort here means records of a completed checkpoint are not in Kafka.
        Logger.LogWarning(
            "Kafka sink: the producer of the transaction '{TransactionalId}' of the restored checkpoint is not in this process (another process wrote it, or its commit failed); "
            + "librdkafka cannot commit it without that producer, so it was finalized with InitTransactions. If it had been committed (the usual case) "
            + "nothing changed; if its process failed between the checkpoint's completion and the commit, Kafka aborted it now and its records are lost.",
            transactionalId);
    }
}
