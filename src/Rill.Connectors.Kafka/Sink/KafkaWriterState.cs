namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// What a writer leaves in each checkpoint (union state: every writer of a restored job sees all of them): the prefix
/// and the subtask index and parallelism it named its transactions with, so a restored job aborts the transactions
/// every old writer may have left open, also those of indexes above the new parallelism.
/// </summary>
public sealed record KafkaWriterState(string TransactionalIdPrefix, int SubtaskIndex, int Parallelism);
