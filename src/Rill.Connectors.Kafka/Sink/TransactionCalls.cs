using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>librdkafka's transactional calls, retried while librdkafka says the error is retriable, else failing with its reason.</summary>
internal static class TransactionCalls
{
    private const int Attempts = 5;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    public static void InitTransactions(SinkProducer producer) => Run("Initializing", producer, p => p.InitTransactions(CallTimeout));

    public static void CommitTransaction(SinkProducer producer) => Run("Committing", producer, p => p.CommitTransaction(CallTimeout));

    public static void AbortTransaction(SinkProducer producer) => Run("Aborting", producer, p => p.AbortTransaction(CallTimeout));

    public static void Run(string what, SinkProducer producer, Action<IProducer<byte[], byte[]>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                call(producer.Client);
                return;
            }
            catch (KafkaRetriableException) when (attempt < Attempts)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(100 * attempt));
            }
            catch (KafkaException e)
            {
                throw new KafkaSinkException($"{what} the Kafka transaction '{producer.TransactionalId}' failed: {e.Error.Reason}", e);
            }
        }
    }
}
