using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Rill.Api;
using Rill.Connectors.Kafka.Serialization;
using Rill.Connectors.Kafka.Sink;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Sources;

namespace Rill.Connectors.Tests.Kafka.Sink;

/// <summary>
/// Jobs writing to the development broker without transactions: every record arrives with its key, value and event
/// time; a topic selector routes each record; at-least-once keeps every record across a failure (duplicates allowed);
/// and a record Kafka refuses fails the job with Kafka's reason.
/// </summary>
[Collection("Connector processes")]
public sealed class KafkaSinkDeliveryTests(SinkTestBroker broker) : IClassFixture<SinkTestBroker>, IDisposable
{
    private static readonly ConcurrentDictionary<string, int> Failures = new();
    private readonly string _checkpoints = SinkJobs.TempDirectory("delivery");

    public void Dispose()
    {
        if (Directory.Exists(_checkpoints))
        {
            Directory.Delete(_checkpoints, recursive: true);
        }
    }

    [Fact]
    public async Task EveryRecordArrivesWithItsKeyValueAndEventTime()
    {
        const int count = 1000;
        var topic = await broker.CreateTopicAsync("clicks", 3);
        var env = SinkJobs.Env(parallelism: 2);
        env.FromCollection(Enumerable.Range(0, count).Select(i => new Click($"user-{i % 10}", i, 1_700_000_000_000L + i)).ToList())
            .AssignTimestampsAndWatermarks(WatermarkStrategy<Click>.ForMonotonousTimestamps().WithTimestampAssigner(c => c.Time))
            .SinkTo(KafkaSink<Click>.Builder()
                .SetBootstrapServers(broker.BootstrapServers)
                .SetRecordSerializer(KafkaRecordSerializer<Click>.Builder()
                    .SetTopic(topic)
                    .SetKeySerializer(c => c.User, KafkaSerializers.Utf8String)
                    .SetValueSerializer(c => c.Sequence.ToString(CultureInfo.InvariantCulture), KafkaSerializers.Utf8String)
                    .Build())
                .SetProperty("linger.ms", "5")
                .Build(), "Kafka Sink");

        await SinkJobs.RunAsync(env, "clicks to kafka");

        var records = TopicReader.ReadAll(broker.BootstrapServers, topic, 3, count);
        Assert.Equal(count, records.Count);
        Assert.Equal(Enumerable.Range(0, count), records.Select(r => int.Parse(r.Message.Value!, CultureInfo.InvariantCulture)).Order());
        foreach (var record in records)
        {
            var sequence = int.Parse(record.Message.Value!, CultureInfo.InvariantCulture);
            Assert.Equal($"user-{sequence % 10}", record.Message.Key);
            Assert.Equal(1_700_000_000_000L + sequence, record.Message.Timestamp.UnixTimestampMs);
        }

        // The key picks the partition: one user's clicks stay in one partition, in order.
        foreach (var user in records.GroupBy(r => r.Message.Key))
        {
            Assert.Single(user.Select(r => r.Partition.Value).Distinct());
        }
    }

    [Fact]
    public async Task ATopicSelectorRoutesEachRecordToItsTopic()
    {
        var even = await broker.CreateTopicAsync("even", 1);
        var odd = await broker.CreateTopicAsync("odd", 2);
        var env = SinkJobs.Env(parallelism: 2);
        env.FromCollection(Enumerable.Range(0, 200).ToList())
            .SinkTo(KafkaSink<int>.Builder()
                .SetBootstrapServers(broker.BootstrapServers)
                .SetRecordSerializer(KafkaRecordSerializer<int>.Builder()
                    .SetTopicSelector(i => i % 2 == 0 ? even : odd)
                    .SetValueSerializer(i => Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)))
                    .Build())
                .SetDeliveryGuarantee(DeliveryGuarantee.AtLeastOnce)
                .Build(), "Kafka Sink");

        await SinkJobs.RunAsync(env, "routed");

        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 2L), Values(TopicReader.ReadAll(broker.BootstrapServers, even, 1, 100)).Order());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (i * 2L) + 1), Values(TopicReader.ReadAll(broker.BootstrapServers, odd, 2, 100)).Order());
    }

    [Fact]
    public async Task AtLeastOnceKeepsEveryRecordAcrossAFailure()
    {
        const int count = 3000;
        var token = Guid.NewGuid().ToString("N");
        var topic = await broker.CreateTopicAsync("at-least-once", 2);
        var env = SinkJobs.Env(parallelism: 2, _checkpoints);
        env.FromSource(new DataGeneratorSource<long>(i => i, count, recordsPerSecond: 4000), WatermarkStrategy<long>.NoWatermarks(), "Numbers")
            // In the second reader's range (1500..2999), two thirds in: checkpoints have completed by then.
            .Map(new FailOnce(token, failAt: 2500)).Name("Fail Once")
            .SinkTo(KafkaSink<long>.Builder()
                .SetBootstrapServers(broker.BootstrapServers)
                .SetRecordSerializer(KafkaRecordSerializer<long>.Builder()
                    .SetTopic(topic)
                    .SetValueSerializer(i => i.ToString(CultureInfo.InvariantCulture), KafkaSerializers.Utf8String)
                    .Build())
                .SetDeliveryGuarantee(DeliveryGuarantee.AtLeastOnce)
                .Build(), "Kafka Sink");

        await SinkJobs.RunAsync(env, "at least once");

        Assert.Equal(1, Failures.GetValueOrDefault(token));
        var values = Values(TopicReader.ReadAll(broker.BootstrapServers, topic, 2, count));
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), values.Distinct().Order());
        // Duplicates are what at-least-once allows: the records after the restored checkpoint, sent again.
        Assert.True(values.Count >= count, $"{values.Count} records for {count} numbers ({values.Count - count} duplicates).");
    }

    [Fact]
    public async Task ARecordKafkaRefusesFailsTheJobWithKafkasReason()
    {
        var topic = await broker.CreateTopicAsync("too-large", 1);
        var env = SinkJobs.Env(parallelism: 1);
        env.FromCollection(new List<string> { "small", new('x', 2_000_000) })
            .SinkTo(KafkaSink<string>.Builder()
                .SetBootstrapServers(broker.BootstrapServers)
                .SetRecordSerializer(KafkaRecordSerializer<string>.Builder().SetTopic(topic).SetValueSerializer(KafkaSerializers.Utf8String).Build())
                .SetDeliveryGuarantee(DeliveryGuarantee.AtLeastOnce)
                .Build(), "Kafka Sink");

        var failure = await Assert.ThrowsAsync<JobExecutionException>(() => SinkJobs.RunAsync(env, "too large"));

        var cause = SinkJobs.FindCause<KafkaSinkException>(failure);
        Assert.Contains(topic, cause.Message, StringComparison.Ordinal);
        Assert.Contains("Message size too large", cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExactlyOnceWithoutCheckpointingRefusesToStart()
    {
        var topic = await broker.CreateTopicAsync("no-checkpoints", 1);
        var env = SinkJobs.Env(parallelism: 1);
        env.FromCollection(new List<string> { "a" })
            .SinkTo(KafkaSink<string>.Builder()
                .SetBootstrapServers(broker.BootstrapServers)
                .SetRecordSerializer(KafkaRecordSerializer<string>.Builder().SetTopic(topic).SetValueSerializer(KafkaSerializers.Utf8String).Build())
                .SetDeliveryGuarantee(DeliveryGuarantee.ExactlyOnce)
                .SetTransactionalIdPrefix("no-checkpoints")
                .Build(), "Kafka Sink");

        var failure = await Assert.ThrowsAsync<JobExecutionException>(() => SinkJobs.RunAsync(env, "no checkpoints"));

        var cause = SinkJobs.FindCause<InvalidOperationException>(failure);
        Assert.Contains("EnableCheckpointing", cause.Message, StringComparison.Ordinal);
        Assert.Empty(TopicReader.ReadAll(broker.BootstrapServers, topic, 1));
    }

    private static List<long> Values(IEnumerable<Confluent.Kafka.ConsumeResult<string?, string?>> records) =>
        records.Select(r => long.Parse(r.Message.Value!, CultureInfo.InvariantCulture)).ToList();

    private sealed record Click(string User, int Sequence, long Time);

    private sealed class FailOnce(string token, long failAt) : IMapFunction<long, long>
    {
        public long Map(long value) => value == failAt && Failures.TryAdd(token, 1) ? throw new InvalidOperationException("Injected failure.") : value;
    }
}
