using System.Collections.Concurrent;
using System.Globalization;
using Rill.Api;
using Rill.Connectors.Kafka.Serialization;
using Rill.Connectors.Kafka.Sink;
using Rill.EventTime;
using Rill.Functions;
using Rill.Graph;
using Rill.Runtime.Dispatcher;
using Rill.Runtime.Messages;
using Rill.Runtime.MiniCluster;
using Rill.Sinks;
using Rill.Sources;

namespace Rill.Connectors.Tests.Kafka.Sink;

/// <summary>
/// Exactly-once jobs on the development broker: across a failure and across a rescale from 2 to 1 through a savepoint,
/// the records of committed transactions are every input exactly once. The mock keeps aborted records readable, so
/// "committed" comes from the sink's own record of which producer committed which delivered records
/// (<see cref="TransactionRecorder"/>); the RealKafka tests check the same with a read_committed consumer.
/// </summary>
[Collection("Connector processes")]
public sealed class ExactlyOnceJobTests : IClassFixture<SinkTestBroker>, IDisposable
{
    /// <summary>The failing map function finds the test's recorder by prefix (functions are copied per subtask, statics are not).</summary>
    private static readonly ConcurrentDictionary<string, TransactionRecorder> Recorders = new();
    private static readonly ConcurrentDictionary<string, int> Failures = new();
    private readonly SinkTestBroker _broker;
    private readonly string _root = SinkJobs.TempDirectory("exactly-once");
    private readonly string _prefix = "eo-" + Guid.NewGuid().ToString("N")[..8];
    private readonly TransactionRecorder _recorder = new();

    public ExactlyOnceJobTests(SinkTestBroker broker)
    {
        _broker = broker;
        Recorders[_prefix] = _recorder;
    }

    public void Dispose()
    {
        Recorders.TryRemove(_prefix, out _);
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task AFailedJobRestoresItsCheckpointAndItsCommittedTransactionsHoldEveryRecordOnce()
    {
        const int count = 3000;
        var topic = await _broker.CreateTopicAsync("exactly-once", 2);
        var env = SinkJobs.Env(parallelism: 2, Path.Combine(_root, "checkpoints"));
        env.FromSource(new DataGeneratorSource<long>(i => i, count, recordsPerSecond: 2000), WatermarkStrategy<long>.NoWatermarks(), "Numbers")
            // In the second reader's range (1500..2999, 1.5 s long), at its first record after a transaction was committed.
            .Map(new FailOnceAfterACommit(_prefix, failFrom: 1500)).Name("Fail Once")
            .SinkTo(Sink(topic), "Kafka Sink");

        await SinkJobs.RunAsync(env, "exactly once");

        Assert.Equal(1, Failures.GetValueOrDefault(_prefix));
        var all = TopicReader.ReadAll(_broker.BootstrapServers, topic, 2, count);
        var committed = _recorder.Committed(all);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), Values(committed).Order());
        // The restored writers reopened the names their failed predecessors had opened right after the restored
        // checkpoint (which fences the predecessors and aborts what they left open).
        Assert.Contains(_recorder.Steps(KafkaTransactionStep.Began).GroupBy(id => id), began => began.Count() > 1);
    }

    [Fact]
    public async Task AfterARescaleFromTwoToOneThroughASavepointTheCommittedRecordsContinueWithoutGapOrDuplicate()
    {
        var topic = await _broker.CreateTopicAsync("rescaled", 2);
        var first = await RunUntilStoppedAsync(Job(2, topic, savepoint: null));
        var firstRun = _recorder.Events.ToList();
        await RunUntilStoppedAsync(Job(1, topic, first));
        var secondRun = _recorder.Events.Skip(firstRun.Count).ToList();

        // The writer of index 1 opened a transaction at the savepoint before it stopped; index 1 is gone after the
        // rescale, so the remaining subtask aborted it (and any its predecessor left) when it started.
        var openedAtSavepoint = firstRun.Last(e => e.Step == KafkaTransactionStep.Began && e.TransactionalId.StartsWith($"{_prefix}-1-", StringComparison.Ordinal)).TransactionalId;
        Assert.Contains(secondRun, e => e.Step == KafkaTransactionStep.Fenced && e.TransactionalId == openedAtSavepoint);
        Assert.DoesNotContain(secondRun, e => e.Step == KafkaTransactionStep.Began && e.TransactionalId.StartsWith($"{_prefix}-1-", StringComparison.Ordinal));

        var committed = Values(_recorder.Committed(TopicReader.ReadAll(_broker.BootstrapServers, topic, 2))).Order().ToList();
        Assert.True(committed.Count > 200, $"Only {committed.Count} records were committed.");
        Assert.Equal(Enumerable.Range(0, committed.Count).Select(i => (long)i), committed);
    }

    private KafkaSink<long> Sink(string topic) => KafkaSink<long>.Builder()
        .SetBootstrapServers(_broker.BootstrapServers)
        .SetRecordSerializer(KafkaRecordSerializer<long>.Builder()
            .SetTopic(topic)
            .SetValueSerializer(i => i.ToString(CultureInfo.InvariantCulture), KafkaSerializers.Utf8String)
            .Build())
        .SetDeliveryGuarantee(DeliveryGuarantee.ExactlyOnce)
        .SetTransactionalIdPrefix(_prefix)
        .SetTransactionObserver(_recorder.Record)
        .Build();

    private JobGraph Job(int parallelism, string topic, string? savepoint)
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(parallelism);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(100));
        env.ConfigureCheckpointing(c => c with { Directory = Path.Combine(_root, "checkpoints") });
        // One generator reader in both runs: a reader reads its unbounded splits one after the other, so two of them
        // after the rescale would leave one unread (a source matter, not the sink's).
        env.FromSource(new DataGeneratorSource<long>(i => i, count: null, recordsPerSecond: 2000), WatermarkStrategy<long>.NoWatermarks(), "Numbers").Uid("numbers").SetParallelism(1)
            .SinkTo(Sink(topic), "Kafka Sink").Uid("kafka-sink");
        var job = env.GetJobGraph("rescaled to kafka");
        job.SavepointRestore = savepoint is null ? null : new Rill.Checkpointing.SavepointRestoreSettings(savepoint);
        return job;
    }

    /// <summary>Runs the job until three checkpoints completed, stops it with a savepoint and returns the savepoint's directory.</summary>
    private async Task<string> RunUntilStoppedAsync(JobGraph job)
    {
        await using var cluster = new MiniCluster(new MiniClusterConfiguration { NumberOfTaskManagers = 1, SlotsPerTaskManager = job.RequiredSlots });
        await cluster.StartAsync();
        var jobId = await cluster.Dispatcher.SubmitJobAsync(job);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await cluster.Dispatcher.RequestJobDetailsAsync(jobId)) is not { Checkpoints.Completed: >= 3 })
        {
            Assert.True(DateTime.UtcNow < deadline, "The job did not complete three checkpoints within 30 s.");
            await Task.Delay(50);
        }

        var savepoint = await ((Dispatcher)cluster.Dispatcher).TriggerSavepointAsync(jobId, Path.Combine(_root, "savepoints"), terminate: true);
        var result = await cluster.Dispatcher.RequestJobResultAsync(jobId).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(JobStatus.Finished, result.Status);
        return savepoint;
    }

    private static IEnumerable<long> Values(IEnumerable<Confluent.Kafka.ConsumeResult<string?, string?>> records) =>
        records.Select(r => long.Parse(r.Message.Value!, CultureInfo.InvariantCulture));

    /// <summary>Fails the job once, at the first record from <paramref name="failFrom"/> on after the sink committed a transaction.</summary>
    private sealed class FailOnceAfterACommit(string prefix, long failFrom) : IMapFunction<long, long>
    {
        public long Map(long value)
        {
            if (value >= failFrom && !Failures.ContainsKey(prefix))
            {
                if (Recorders[prefix].AnyCommitted && Failures.TryAdd(prefix, 1))
                {
                    throw new InvalidOperationException("Injected failure.");
                }

                // Nothing committed yet (a loaded machine): slow down rather than let the rest pass without the failure.
                Thread.Sleep(5);
            }

            return value;
        }
    }
}
