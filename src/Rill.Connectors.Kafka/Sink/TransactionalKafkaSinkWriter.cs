using Microsoft.Extensions.Logging;
using Rill.Logging;
using Rill.Sinks;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// The exactly-once writer: one Kafka transaction per checkpoint epoch, each with its own producer and transactional
/// id "{prefix}-{subtask}-{n}" (n: the previous checkpoint's id plus one). At a checkpoint it waits for all records
/// of the current transaction, hands the producer to <see cref="PreparedTransactions"/> (pre-commit) and opens the next
/// transaction; the committer commits the handed-over one when the checkpoint completes. On start it first aborts
/// what earlier writers may have left open (<see cref="LingeringTransactionAborter{T}"/>).
/// </summary>
internal sealed class TransactionalKafkaSinkWriter<T> : IStatefulCommittingSinkWriter<T, KafkaCommittable, KafkaWriterState>
{
    private static readonly ILogger Logger = RillLogging.CreateLogger(typeof(TransactionalKafkaSinkWriter<>));
    private readonly KafkaSinkSettings<T> _settings;
    private readonly SinkWriterContext _context;
    private readonly string _prefix;
    private SinkProducer? _current;
    private bool _endOfInput;

    /// <param name="restoredCheckpointId">The checkpoint the job restored, null for a fresh start.</param>
    public TransactionalKafkaSinkWriter(KafkaSinkSettings<T> settings, SinkWriterContext context, long? restoredCheckpointId, IReadOnlyList<KafkaWriterState> restored)
    {
        _settings = settings;
        _context = context;
        _prefix = settings.TransactionalIdPrefix!;
        var first = (restoredCheckpointId ?? 0) + 1;
        new LingeringTransactionAborter<T>(settings, context).AbortLingering(first - 1, restored, ownFirstNumber: first);
        _current = Begin(first);
    }

    public void Write(T value, long? timestamp)
    {
        var producer = _current ?? throw new InvalidOperationException("The Kafka sink got a record after the end of its input.");
        producer.Send(_settings.Serializer.Serialize(value, timestamp));
    }

    /// <summary>Waits for the current transaction's records; it is committed through the checkpoint after the end of the input (FLIP-147).</summary>
    public void Flush(bool endOfInput)
    {
        _current?.FlushAll();
        _endOfInput |= endOfInput;
    }

    public IReadOnlyList<KafkaCommittable> PrepareCommit(long checkpointId)
    {
        if (_current is not { } producer)
        {
            return [];
        }

        producer.FlushAll();
        _current = null;
        IReadOnlyList<KafkaCommittable> committables;
        if (producer.Written == 0)
        {
            // Nothing reached Kafka, so there is no transaction on the broker to commit or to abort.
            producer.Dispose();
            committables = [];
        }
        else
        {
            _settings.Observer?.Invoke(new KafkaTransactionEvent(KafkaTransactionStep.PreCommitted, producer.TransactionalId!, producer.Instance, producer.Delivered));
            PreparedTransactions.Park(producer, _settings.TransactionTimeout);
            committables = [new KafkaCommittable(producer.TransactionalId!)];
        }

        if (!_endOfInput)
        {
            _current = Begin(checkpointId + 1);
        }

        return committables;
    }

    public IReadOnlyList<KafkaWriterState> SnapshotState(long checkpointId) => [new KafkaWriterState(_prefix, _context.SubtaskIndex, _context.Parallelism)];

    private SinkProducer Begin(long number)
    {
        var id = TransactionalIds.For(_prefix, _context.SubtaskIndex, number);
        if (PreparedTransactions.Take(id) is { } stale)
        {
            // Pre-committed here for a checkpoint that was not restored (else the committer would have taken it).
            new LingeringTransactionAborter<T>(_settings, _context).AbortPrepared(stale);
        }

        var producer = new SinkProducer(_settings.ProducerConfig($"rill-kafka-sink-{_context.SubtaskIndex}", id), trackDeliveries: _settings.Observer is not null);
        try
        {
            // Fences every earlier producer of this id and aborts what it left open.
            TransactionCalls.InitTransactions(producer);
            TransactionCalls.Run("Beginning", producer, static p => p.BeginTransaction());
        }
        catch
        {
            producer.Dispose();
            throw;
        }

        _settings.Observe(KafkaTransactionStep.Began, id, producer.Instance);
        return producer;
    }

    /// <summary>
    /// The open transaction is never committed (its records come again after a restore): it is aborted here, as Flink's
    /// KafkaWriter.close does, so read_committed consumers are not held up until transaction.timeout.ms when no restore
    /// follows (a canceled job). Pre-committed ones stay parked for the committer.
    /// </summary>
    public void Dispose()
    {
        if (_current is { } current)
        {
            try
            {
                // Short and unretried: a close must not hold the task (or its cancellation) for minutes.
                current.Client.AbortTransaction(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is Confluent.Kafka.KafkaException or KafkaSinkException)
            {
                // Closing must not fail the close; Kafka ends the transaction at its timeout, or the next writer fences it.
                Logger.LogWarning(e, "Kafka sink: aborting the open transaction '{TransactionalId}' on close failed: {Reason}", current.TransactionalId, e.Message);
            }

            current.Dispose();
        }

        _current = null;
    }
}
