using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Rill.Api;
using Rill.Connectors.Kafka.Serialization;
using Rill.Connectors.Kafka.Sink;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Sources;

namespace Rill.Connectors.Tests.Kafka.Sink;

/// <summary>
/// What only a real broker enforces: read_committed visibility of the sink's transactions, fencing, and aborting what
/// a lost writer left open. Run against a real Kafka (3.x or 4.x) with
/// <c>RILL_KAFKA_BOOTSTRAP=host:port dotnet test tests/Rill.Connectors.Tests --filter Category=RealKafka</c>;
/// without RILL_KAFKA_BOOTSTRAP each test fails and says so (they are excluded from the default test command).
/// </summary>
[Trait("Category", "RealKafka")]
[Collection("Connector processes")]
public sealed class RealKafkaExactlyOnceTests : IDisposable
{
    private static readonly ConcurrentDictionary<string, TransactionRecorder> Recorders = new();
    private static readonly ConcurrentDictionary<string, int> Failures = new();
    private readonly string _prefix = "rill-real-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _root = SinkJobs.TempDirectory("real-kafka");
    private readonly TransactionRecorder _recorder = new();

    public RealKafkaExactlyOnceTests() => Recorders[_prefix] = _recorder;

    private static string Bootstrap => Environment.GetEnvironmentVariable("RILL_KAFKA_BOOTSTRAP") is { Length: > 0 } bootstrap
        ? bootstrap
        : throw new InvalidOperationException("RealKafka tests need a real Kafka broker: set RILL_KAFKA_BOOTSTRAP=host:port (see src/Rill.Connectors.Kafka/Sink/README.md), or exclude them with --filter Category!=RealKafka.");

    public void Dispose()
    {
        Recorders.TryRemove(_prefix, out _);
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task AReadCommittedConsumerSeesEveryRecordOfAFailedAndRestoredJobExactlyOnce()
    {
        const int count = 3000;
        var topic = await CreateTopicAsync(2);
        var env = SinkJobs.Env(parallelism: 2, Path.Combine(_root, "checkpoints"), TimeSpan.FromMilliseconds(200));
        env.FromSource(new DataGeneratorSource<long>(i => i, count, recordsPerSecond: 2000), WatermarkStrategy<long>.NoWatermarks(), "Numbers")
            .Map(new FailOnceAfterACommit(_prefix, failFrom: 1500)).Name("Fail Once")
            .SinkTo(Sink<long>(topic, i => i.ToString(CultureInfo.InvariantCulture)), "Kafka Sink");

        await SinkJobs.RunAsync(env, "exactly once on real kafka", TimeSpan.FromSeconds(120));

        Assert.Equal(1, Failures.GetValueOrDefault(_prefix));
        var committed = TopicReader.ReadAll(Bootstrap, topic, 2, count, IsolationLevel.ReadCommitted);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), committed.Select(r => long.Parse(r.Message.Value!, CultureInfo.InvariantCulture)).Order());
        // The restored writers reopened the names their failed predecessors had opened after the restored checkpoint.
        Assert.Contains(_recorder.Steps(KafkaTransactionStep.Began).GroupBy(id => id), began => began.Count() > 1);
    }

    [Fact]
    public async Task PreCommittedRecordsStayInvisibleToReadCommittedConsumersUntilTheCheckpointCompletes()
    {
        var topic = await CreateTopicAsync(1);
        var sink = Sink<string>(topic, s => s);
        using var writer = sink.CreateCommittingWriter(new SinkWriterContext(0, 1, 0, "Kafka Sink"));
        writer.Write("a", null);
        writer.Write("b", null);

        var committables = writer.PrepareCommit(checkpointId: 1);

        Assert.Equal(2, TopicReader.ReadAll(Bootstrap, topic, 1, 2).Count);
        Assert.Empty(TopicReader.ReadAll(Bootstrap, topic, 1, isolation: IsolationLevel.ReadCommitted));
        sink.CreateCommitter().Commit(committables);
        Assert.Equal(["a", "b"], TopicReader.ReadAll(Bootstrap, topic, 1, 2, IsolationLevel.ReadCommitted).Select(r => r.Message.Value));
    }

    [Fact]
    public async Task ASecondProducerWithTheSameTransactionalIdFencesTheFirstAndARestoredWriterFencesItsPredecessor()
    {
        var topic = await CreateTopicAsync(1);
        var id = $"{_prefix}-raw";
        using var first = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap, TransactionalId = id }).Build();
        first.InitTransactions(TimeSpan.FromSeconds(30));
        first.BeginTransaction();
        await first.ProduceAsync(topic, new Message<Null, string> { Value = "zombie" });
        using (var second = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap, TransactionalId = id }).Build())
        {
            second.InitTransactions(TimeSpan.FromSeconds(30));
        }

        var fenced = Assert.ThrowsAny<KafkaException>(() => first.CommitTransaction(TimeSpan.FromSeconds(30)));
        Assert.Contains("fenced", fenced.Error.Reason, StringComparison.OrdinalIgnoreCase);

        // The sink: a restored writer reopens the name its predecessor opened after the checkpoint, which fences the predecessor.
        var sink = Sink<string>(topic, s => s);
        using var predecessor = sink.CreateCommittingWriter(new SinkWriterContext(0, 1, 0, "Kafka Sink"));
        predecessor.Write("before", null);
        var state = ((IStatefulCommittingSinkWriter<string, KafkaCommittable, KafkaWriterState>)predecessor).SnapshotState(1);
        sink.CreateCommitter().Commit(predecessor.PrepareCommit(checkpointId: 1));
        using var restored = sink.RestoreCommittingWriter(new SinkWriterContext(0, 1, 1, "Kafka Sink"), restoredCheckpointId: 1, state);
        var failure = Assert.Throws<KafkaSinkException>(() =>
        {
            predecessor.Write("after", null);
            predecessor.PrepareCommit(checkpointId: 2);
        });
        Assert.Contains("fenced", failure.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["before"], TopicReader.ReadAll(Bootstrap, topic, 1, 1, IsolationLevel.ReadCommitted).Select(r => r.Message.Value));
    }

    [Fact]
    public async Task AfterARescaleFromTwoToOneWhatIndexOneLeftOpenIsAbortedSoReadCommittedConsumersAreNotBlocked()
    {
        var topic = await CreateTopicAsync(1);
        var sink = Sink<string>(topic, s => s);
        var states = new List<KafkaWriterState>();
        var writers = new[] { sink.CreateCommittingWriter(new SinkWriterContext(0, 2, 0, "Kafka Sink")), sink.CreateCommittingWriter(new SinkWriterContext(1, 2, 0, "Kafka Sink")) };
        var committables = new List<KafkaCommittable>();
        foreach (var writer in writers)
        {
            committables.AddRange(writer.PrepareCommit(checkpointId: 1));
            states.AddRange(((IStatefulCommittingSinkWriter<string, KafkaCommittable, KafkaWriterState>)writer).SnapshotState(1));
        }

        sink.CreateCommitter().Commit(committables);
        writers[1].Write("left open by index 1", null);
        writers[1].Flush(endOfInput: false);
        // Index 1's process is lost with its open transaction; a read_committed consumer is stuck before it.
        foreach (var writer in writers)
        {
            writer.Dispose();
        }

        using var survivor = sink.RestoreCommittingWriter(new SinkWriterContext(0, 1, 1, "Kafka Sink"), restoredCheckpointId: 1, states);
        survivor.Write("after the rescale", null);
        sink.CreateCommitter().Commit(survivor.PrepareCommit(checkpointId: 2));

        // Within seconds, not transaction.timeout.ms (15 min): the lingering transaction was aborted.
        Assert.Equal(["after the rescale"], TopicReader.ReadAll(Bootstrap, topic, 1, 1, IsolationLevel.ReadCommitted).Select(r => r.Message.Value));
        Assert.Contains($"{_prefix}-1-2", _recorder.Steps(KafkaTransactionStep.Fenced));
    }

    [Fact]
    public async Task ATransactionPreCommittedByALostProcessIsAbortedOnRestoreTheDocumentedWindowOfLibrdkafka()
    {
        var topic = await CreateTopicAsync(1);
        var id = $"{_prefix}-0-1";
        using (var lost = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap, TransactionalId = id }).Build())
        {
            lost.InitTransactions(TimeSpan.FromSeconds(30));
            lost.BeginTransaction();
            await lost.ProduceAsync(topic, new Message<Null, string> { Value = "pre-committed, never committed" });
        }

        Sink<string>(topic, s => s).CreateCommitter().Commit([new KafkaCommittable(id)]);

        // librdkafka cannot resume the transaction: finalizing it aborted it (KIP-939 would let it be committed).
        Assert.Empty(TopicReader.ReadAll(Bootstrap, topic, 1, isolation: IsolationLevel.ReadCommitted));
        Assert.Equal([$"FinalizedWithoutProducer {id}"], _recorder.Trace());
    }

    private KafkaSink<T> Sink<T>(string topic, Func<T, string> value) => KafkaSink<T>.Builder()
        .SetBootstrapServers(Bootstrap)
        .SetRecordSerializer(KafkaRecordSerializer<T>.Builder().SetTopic(topic).SetValueSerializer(value, KafkaSerializers.Utf8String).Build())
        .SetDeliveryGuarantee(DeliveryGuarantee.ExactlyOnce)
        .SetTransactionalIdPrefix(_prefix)
        .SetProperty("transaction.timeout.ms", "60000")
        .SetTransactionObserver(_recorder.Record)
        .Build();

    private async Task<string> CreateTopicAsync(int partitions)
    {
        var topic = $"{_prefix}-{partitions}";
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = -1 }]);
        return topic;
    }

    private sealed class FailOnceAfterACommit(string prefix, long failFrom) : IMapFunction<long, long>
    {
        public long Map(long value)
        {
            if (value >= failFrom && Recorders[prefix].AnyCommitted && Failures.TryAdd(prefix, 1))
            {
                throw new InvalidOperationException("Injected failure.");
            }

            return value;
        }
    }
}
