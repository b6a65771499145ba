using System.Globalization;
using Confluent.Kafka;
using Rill.Connectors.Kafka.Serialization;
using Rill.Connectors.Kafka.Sink;
using Rill.Sinks;

namespace Rill.Connectors.Tests.Kafka.Sink;

/// <summary>
/// The exactly-once protocol step by step, driving the sink's writers and committer as the checkpointing runtime does,
/// against the development broker through librdkafka: which transactional ids are initialized, begun, pre-committed,
/// committed (and by which producer), finalized or fenced. The mock accepts transactions without enforcing them (no
/// fencing across producers, aborted records stay visible), so what Kafka itself would do with them is verified by the
/// RealKafka tests; here the sink's own sequence and the records' arrival are.
/// </summary>
[Collection("Connector processes")]
public sealed class ExactlyOnceTransactionSequenceTests(SinkTestBroker broker) : IClassFixture<SinkTestBroker>
{
    private readonly TransactionRecorder _recorder = new();
    private readonly string _prefix = "seq-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task ATransactionIsBegunPreCommittedAtTheCheckpointAndCommittedByItsOwnProducerWhenTheCheckpointCompletes()
    {
        var topic = await broker.CreateTopicAsync("sequence", 2);
        var sink = Sink(topic);

        using (var writer = sink.CreateCommittingWriter(Context(0, 1)))
        {
            Assert.Equal([$"Began {Id(0, 1)}"], _recorder.Trace().Where(t => t.StartsWith("Began", StringComparison.Ordinal)));
            Write(writer, "a", "b", "c");

            var committables = writer.PrepareCommit(checkpointId: 1);

            Assert.Equal([new KafkaCommittable(Id(0, 1))], committables);
            var preCommit = Assert.Single(_recorder.Events, e => e.Step == KafkaTransactionStep.PreCommitted);
            Assert.Equal(3, preCommit.Records.Count);
            // The next epoch's transaction is named after the checkpoint: the first after checkpoint 1 is "-2".
            Assert.Equal($"Began {Id(0, 2)}", _recorder.Trace()[^1]);

            sink.CreateCommitter().Commit(committables);

            var commit = Assert.Single(_recorder.Events, e => e.Step == KafkaTransactionStep.Committed);
            Assert.Equal((Id(0, 1), preCommit.Producer), (commit.TransactionalId, commit.Producer));
            var began = _recorder.Events.First(e => e.Step == KafkaTransactionStep.Began);
            Assert.Equal(began.Producer, commit.Producer);

            // An epoch without records pre-commits nothing and leaves nothing to commit.
            Assert.Empty(writer.PrepareCommit(checkpointId: 2));
            Assert.Equal($"Began {Id(0, 3)}", _recorder.Trace()[^1]);
        }

        var records = TopicReader.ReadAll(broker.BootstrapServers, topic, 2, 3);
        Assert.Equal(["a", "b", "c"], records.Select(r => r.Message.Value).Order(StringComparer.Ordinal));
        Assert.Equal(records.Count, _recorder.Committed(records).Count);
    }

    [Fact]
    public async Task ARestoreCommitsWhatTheCheckpointPreCommittedAndAbortsTheTransactionsOpenedAfterIt()
    {
        var topic = await broker.CreateTopicAsync("recover", 1);
        var sink = Sink(topic);
        IReadOnlyList<KafkaCommittable> checkpoint1;
        IReadOnlyList<KafkaWriterState> states1;
        using (var writer = sink.CreateCommittingWriter(Context(0, 1)))
        {
            Write(writer, "in-checkpoint-1");
            checkpoint1 = writer.PrepareCommit(checkpointId: 1);
            states1 = ((IStatefulCommittingSinkWriter<string, KafkaCommittable, KafkaWriterState>)writer).SnapshotState(1);
            Write(writer, "in-checkpoint-2");
            Assert.Equal([new KafkaCommittable(Id(0, 2))], writer.PrepareCommit(checkpointId: 2));
            Write(writer, "after-checkpoint-2");
            // The task fails here: checkpoint 1 completed but its commit never ran; checkpoint 2 never completed.
        }

        var beforeRestore = _recorder.Events.Count;
        sink.CreateCommitter().Commit(checkpoint1);
        using (sink.RestoreCommittingWriter(Context(0, 1), restoredCheckpointId: 1, states1))
        {
        }

        Assert.Equal(
            [
                // Recover-and-commit: the producer that wrote checkpoint 1's transaction is still in this process and commits it.
                $"Committed {Id(0, 1)}",
                // What was opened after checkpoint 1 is aborted: the transaction pre-committed at checkpoint 2 (not
                // restored) by its own producer, still in this process ...
                $"AbortedPrepared {Id(0, 2)}",
                // ... the one opened after checkpoint 2 by a fencing InitTransactions (the mock calls every id new,
                // epoch 0, so the walk stops there) ...
                $"Fenced {Id(0, 3)}",
                // ... and the writer reopens the first name after the restored checkpoint.
                $"Began {Id(0, 2)}",
            ],
            _recorder.Trace().Skip(beforeRestore));
        var original = _recorder.Events.First(e => e.Step == KafkaTransactionStep.PreCommitted && e.TransactionalId == Id(0, 1)).Producer;
        Assert.Equal(original, _recorder.Events.Single(e => e.Step == KafkaTransactionStep.Committed).Producer);

        // Restoring the same checkpoint again (another failure before the next one): already committed here, nothing to do.
        sink.CreateCommitter().Commit(checkpoint1);
        Assert.Equal($"CommittedEarlier {Id(0, 1)}", _recorder.Trace()[^1]);
    }

    [Fact]
    public async Task ARestoredTransactionWrittenByAnotherProcessIsFinalizedWithInitTransactionsSinceLibrdkafkaCannotCommitIt()
    {
        var topic = await broker.CreateTopicAsync("other-process", 1);
        var id = Id(0, 7);
        // Another process pre-committed a transaction, then died before the commit.
        using (var other = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, TransactionalId = id }).Build())
        {
            other.InitTransactions(TimeSpan.FromSeconds(30));
            other.BeginTransaction();
            other.Produce(topic, new Message<Null, string> { Value = "pre-committed elsewhere" });
            Assert.Equal(0, other.Flush(TimeSpan.FromSeconds(30)));
        }

        Sink(topic).CreateCommitter().Commit([new KafkaCommittable(id)]);

        Assert.Equal([$"FinalizedWithoutProducer {id}"], _recorder.Trace());
    }

    [Fact]
    public async Task AfterARescaleFromTwoToOneTheRemainingWriterAbortsWhatTheWriterOfIndexOneLeftOpen()
    {
        var topic = await broker.CreateTopicAsync("rescale", 2);
        var sink = Sink(topic);
        var states = new List<KafkaWriterState>();
        var committables = new List<KafkaCommittable>();
        var writers = new[] { sink.CreateCommittingWriter(Context(0, 2)), sink.CreateCommittingWriter(Context(1, 2)) };
        foreach (var writer in writers)
        {
            Write(writer, "committed");
            committables.AddRange(writer.PrepareCommit(checkpointId: 4));
            states.AddRange(((IStatefulCommittingSinkWriter<string, KafkaCommittable, KafkaWriterState>)writer).SnapshotState(4));
        }

        sink.CreateCommitter().Commit(committables);
        foreach (var writer in writers)
        {
            Write(writer, "lingering");
            writer.Dispose(); // a failure: both leave "-5" open
        }

        Assert.Equal([new KafkaWriterState(_prefix, 0, 2), new KafkaWriterState(_prefix, 1, 2)], states);
        var beforeRestore = _recorder.Events.Count;
        using (sink.RestoreCommittingWriter(Context(0, 1), restoredCheckpointId: 4, states))
        {
        }

        var restore = _recorder.Trace().Skip(beforeRestore).ToList();
        // Index 1 has no writer any more: subtask 0 (1 modulo 1) aborts its open transaction; its own it reopens.
        Assert.Contains($"Fenced {Id(1, 5)}", restore);
        Assert.Equal($"Began {Id(0, 5)}", restore[^1]);
        Assert.DoesNotContain(restore, t => t.StartsWith("Began", StringComparison.Ordinal) && t != $"Began {Id(0, 5)}");
    }

    [Fact]
    public async Task ARestoredWriterAtAHigherParallelismOnlyLooksAfterItsOwnIndex()
    {
        var topic = await broker.CreateTopicAsync("scale-up", 1);
        var sink = Sink(topic);
        var states = new List<KafkaWriterState> { new(_prefix, 0, 1) };

        using (sink.RestoreCommittingWriter(Context(0, 2), restoredCheckpointId: 9, states))
        using (sink.RestoreCommittingWriter(Context(1, 2), restoredCheckpointId: 9, states))
        {
        }

        // Subtask 0 owns old index 0 (its own "-10" it reopens, so it probes "-11"); subtask 1 had no predecessor.
        Assert.Equal([Id(0, 11), Id(1, 11)], _recorder.Steps(KafkaTransactionStep.Fenced).Order(StringComparer.Ordinal));
        Assert.Equal([Id(0, 10), Id(1, 10)], _recorder.Steps(KafkaTransactionStep.Began).Order(StringComparer.Ordinal));
    }

    private KafkaSink<string> Sink(string topic) => KafkaSink<string>.Builder()
        .SetBootstrapServers(broker.BootstrapServers)
        .SetRecordSerializer(KafkaRecordSerializer<string>.Builder().SetTopic(topic).SetValueSerializer(KafkaSerializers.Utf8String).Build())
        .SetDeliveryGuarantee(DeliveryGuarantee.ExactlyOnce)
        .SetTransactionalIdPrefix(_prefix)
        .SetTransactionObserver(_recorder.Record)
        .Build();

    private string Id(int subtask, long number) => $"{_prefix}-{subtask}-{number.ToString(CultureInfo.InvariantCulture)}";

    private static SinkWriterContext Context(int subtask, int parallelism) => new(subtask, parallelism, 0, "Kafka Sink");

    private static void Write(ISinkWriter<string> writer, params string[] values)
    {
        foreach (var value in values)
        {
            writer.Write(value, null);
        }
    }
}
