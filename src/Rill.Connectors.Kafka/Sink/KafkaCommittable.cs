namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// A pre-committed Kafka transaction, kept in the checkpoint until it is committed. Unlike Flink's, it carries no
/// producer id and epoch: librdkafka cannot resume a transaction from them, so only the transactional id is useful
/// (see Sink/README.md).
/// </summary>
public sealed record KafkaCommittable(string TransactionalId);
