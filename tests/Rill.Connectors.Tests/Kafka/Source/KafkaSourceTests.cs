using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Serialization;
using Confluent.Kafka;
using Rill.Api;
using Rill.Connectors.Kafka.Source;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Tests.TestSupport;
using Rill.Windowing;

namespace Rill.Connectors.Tests.Kafka.Source;

/// <summary>
/// The Kafka source against the development broker (real Kafka protocol, a separate process): partitions as splits, bounded
/// reading, offsets in checkpoints, discovery, dead letters, per-partition watermarks and the errors users must see.
/// </summary>
[Collection("Connector processes")]
public sealed class KafkaSourceTests : IDisposable
{
    private static readonly ConcurrentDictionary<string, int> Failures = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rill-kafka-source-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task ABoundedSourceReadsEveryPartitionOnceAndStopsAtTheOffsetsLatestAtItsStart()
    {
        using var broker = await DevKafkaBroker.StartAsync("--brokers", "2", "--topic", "numbers:4");
        var values = Enumerable.Range(0, 2000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        KafkaTestClient.ProduceStrings(broker.BootstrapServers, "numbers", values, key: v => v);

        var env = TestJobs.Env(parallelism: 3);
        var source = KafkaSource<string>.Builder().SetBootstrapServers(broker.BootstrapServers).SetTopics("numbers")
            .SetDeserializer(KafkaDeserializers.Utf8String).SetBounded().Build();
        var read = await TestJobs.CollectAsync(env.FromSource(source, WatermarkStrategy<string>.NoWatermarks(), "Kafka"));

        Assert.Equal(values.Order(StringComparer.Ordinal), read.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AJobThatFailsRestoresTheOffsetsOfItsLatestCheckpointAndCommitsEveryRecordExactlyOnce()
    {
        using var broker = await DevKafkaBroker.StartAsync("--topic", "events:3");
        const int count = 6000;
        KafkaTestClient.ProduceStrings(broker.BootstrapServers, "events", Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var output = Path.Combine(_root, "out");
        var token = Guid.NewGuid().ToString("N");

        var env = TestJobs.Env(parallelism: 2);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(50));
        env.ConfigureCheckpointing(c => c with { Directory = Path.Combine(_root, "checkpoints") });
        env.Deployment = env.Deployment with { RestartStrategy = "fixed-delay:3:0.1" };
        var source = KafkaSource<string>.Builder().SetBootstrapServers(broker.BootstrapServers).SetTopics("events").SetGroupId("exactly-once-test")
            .SetDeserializer(KafkaDeserializers.Utf8String).SetBounded().Build();
        env.FromSource(source, WatermarkStrategy<string>.NoWatermarks(), "Kafka")
            .Map(new SlowlyFailOnceAfterACommit(token, output)).Name("Fail Once")
            .SinkTo(new FileSink<string>(output), "Committed Output");

        await TestJobs.RunAsync(env, timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(1, Failures.GetValueOrDefault(token));
        var committed = Directory.EnumerateFiles(output).Where(f => !Path.GetFileName(f).StartsWith('.')).SelectMany(File.ReadLines).ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal),
            committed.Order(StringComparer.Ordinal));

        // After each completed checkpoint the positions went to the group (for lag monitoring), the last ones at the end.
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "exactly-once-test" }).Build();
        var offsets = consumer.Committed(Enumerable.Range(0, 3).Select(p => new TopicPartition("events", p)), TimeSpan.FromSeconds(10));
        Assert.Equal(count, offsets.Sum(o => o.Offset.Value));
    }

    [Fact]
    public async Task ATopicMatchingThePatternThatIsCreatedWhileTheJobRunsIsRead()
    {
        using var broker = await DevKafkaBroker.StartAsync("--topic", "clicks-eu:2");
        KafkaTestClient.ProduceStrings(broker.BootstrapServers, "clicks-eu", ["eu-1", "eu-2"]);
        var env = TestJobs.Env(parallelism: 2);
        var source = KafkaSource<string>.Builder().SetBootstrapServers(broker.BootstrapServers).SetTopicPattern("clicks-.*")
            .SetDeserializer(KafkaDeserializers.Utf8String).SetPartitionDiscoveryInterval(TimeSpan.FromMilliseconds(300)).Build();
        var sink = new CollectSink<string>();
        env.FromSource(source, WatermarkStrategy<string>.NoWatermarks(), "Kafka").SinkTo(sink);
        using var cancel = new CancellationTokenSource();
        var job = env.ExecuteAsync("Discovery", cancel.Token);

        await WaitUntil(() => sink.Count == 2, "the records of the topic that existed at the start");
        Assert.Equal("created clicks-us 3", await broker.CommandAsync("create-topic clicks-us 3"));
        Assert.Equal("created views-us 1", await broker.CommandAsync("create-topic views-us 1"));
        KafkaTestClient.ProduceStrings(broker.BootstrapServers, "clicks-us", ["us-1", "us-2", "us-3"]);
        KafkaTestClient.ProduceStrings(broker.BootstrapServers, "views-us", ["not-matching"]);
        await WaitUntil(() => sink.Count == 5, "the records of the topic created while the job ran");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => job.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["eu-1", "eu-2", "us-1", "us-2", "us-3"], sink.Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MalformedRecordsGoToTheDeadLetterTopicWithTheReasonAndTheJobKeepsRunning()
    {
        using var broker = await DevKafkaBroker.StartAsync("--topic", "orders:2", "--topic", "orders-dlq:1");
        byte[][] values =
        [
            Encoding.UTF8.GetBytes("""{"id":1,"amount":9.5}"""),
            [0x7B, 0xC3, 0x28, 0x7D], // invalid UTF-8 inside JSON
            Encoding.UTF8.GetBytes("""{"id":"two","amount":1}"""), // a wrong field type
            Encoding.UTF8.GetBytes("""{"id":3,"amount":2.25}"""),
            Encoding.UTF8.GetBytes("not json"),
        ];
        KafkaTestClient.Produce(broker.BootstrapServers, "orders", values.Select((v, i) => ((string?)$"k{i}", v, (int?)(i % 2), (long?)null)));

        var source = KafkaSource<Order>.Builder().SetBootstrapServers(broker.BootstrapServers).SetTopics("orders").SetBounded()
            .SetDeserializer(KafkaDeserializers.Json(SourceTestJson.Default.Order)).SetDeadLetterTopic("orders-dlq").Build();
        var orders = await TestJobs.CollectAsync(TestJobs.Env(1).FromSource(source, WatermarkStrategy<Order>.NoWatermarks(), "Orders"));

        Assert.Equal([new Order(1, 9.5m), new Order(3, 2.25m)], orders.OrderBy(o => o.Id));
        var dead = TopicReader.ReadAll<byte[]>(broker.BootstrapServers, "orders-dlq", partitions: 1, atLeast: 3);
        Assert.Equal(["k1", "k2", "k4"], dead.Select(d => d.Message.Key).Order(StringComparer.Ordinal));
        foreach (var letter in dead)
        {
            var index = int.Parse(letter.Message.Key![1..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(values[index], letter.Message.Value);
            Assert.Equal("orders", Header(letter, "rill.source.topic"));
            Assert.Equal((index % 2).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(letter, "rill.source.partition"));
            Assert.Contains("invalid JSON for Order", Header(letter, "rill.error"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithoutADeadLetterTopicAMalformedRecordFailsTheJobNamingWhereItIs()
    {
        using var broker = await DevKafkaBroker.StartAsync("--topic", "lines:1");
        KafkaTestClient.Produce(broker.BootstrapServers, "lines", [(null, Encoding.UTF8.GetBytes("fine"), 0, null), (null, [0xFF, 0xFE], 0, null)]);
        var source = KafkaSource<string>.Builder().SetBootstrapServers(broker.BootstrapServers).SetTopics("lines").SetBounded()
            .SetDeserializer(KafkaDeserializers.Utf8String).Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestJobs.CollectAsync(TestJobs.Env(1).FromSource(source, WatermarkStrategy<string>.NoWatermarks(), "Lines")));
        Assert.Contains("Malformed Kafka record at lines[0]@1: invalid UTF-8 at byte 0", Flatten(error), StringComparison.Ordinal);
        Assert.Contains("SetDeadLetterTopic", Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingTopicFailsTheJobWithAClearMessage()
    {
        using var broker = await DevKafkaBroker.StartAsync("--topic", "present:1");
        var source = KafkaSource<string>.Builder().SetBootstrapServers(broker.BootstrapServers).SetTopics("present", "absent").SetBounded()
            .SetDeserializer(KafkaDeserializers.Utf8String).Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestJobs.CollectAsync(TestJobs.Env(1).FromSource(source, WatermarkStrategy<string>.NoWatermarks(), "Missing")));
        Assert.Contains($"Kafka topic(s) 'absent' do not exist on {broker.BootstrapServers}", Flatten(error), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task EachPartitionHasItsOwnWatermarkSoAPartitionThatRunsAheadMakesNoRecordOfAnotherLate(int parallelism)
    {
        using var broker = await DevKafkaBroker.StartAsync("--topic", "ticks:4");
        // Every partition is in order; those of subtask 0 are an hour ahead of the others. At parallelism 1 one reader
        // reads all four; at 2, subtask 1 (behind) must hold the watermark back from its first poll on, also while it is
        // still waiting for its partitions.
        const int perPartition = 1500;
        var ahead = Enumerable.Range(0, 4).Where(p => Rill.Connectors.Kafka.Source.SplitOwner.Of(new TopicPartition("ticks", p), 2) == 0).ToHashSet();
        Assert.InRange(ahead.Count, 1, 3);
        KafkaTestClient.Produce(broker.BootstrapServers, "ticks", Enumerable.Range(0, perPartition).SelectMany(i => Enumerable.Range(0, 4).Select(p =>
            ((string?)null, Encoding.UTF8.GetBytes($"{(ahead.Contains(p) ? 3_600_000 : 0) + (i * 100)}"), (int?)p, (long?)null))));

        var late = new OutputTag<long>("late");
        var env = TestJobs.Env(parallelism);
        var source = KafkaSource<long>.Builder().SetBootstrapServers(broker.BootstrapServers).SetTopics("ticks").SetBounded()
            .SetDeserializer(KafkaDeserializers.ValueOnly(v => long.Parse(KafkaDeserializers.Utf8(v), System.Globalization.CultureInfo.InvariantCulture))).Build();
        var counts = env.FromSource(source, WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(t => t), "Ticks")
            .KeyBy(_ => 0)
            .Window(TumblingEventTimeWindows.Of<long>(TimeSpan.FromMinutes(1)))
            .SideOutputLateData(late)
            .Aggregate(new CountAggregate<long>(), (_, window, count) => count);
        var lateSink = new CollectSink<long>();
        counts.GetSideOutput(late).SinkTo(lateSink);
        var windowed = await TestJobs.CollectAsync(counts);

        Assert.Empty(lateSink.Values);
        Assert.Equal(4 * perPartition, windowed.Sum());
    }

    [Fact]
    public async Task APositionBelowThePartitionsLogStartFailsInsteadOfSilentlySkippingRecords()
    {
        using var broker = await DevKafkaBroker.StartAsync("--topic", "small:1");
        // The development broker keeps about 5 MiB per partition: 8 MiB pushes the log start past offset 0.
        var kilobyte = new byte[1024];
        KafkaTestClient.Produce(broker.BootstrapServers, "small", Enumerable.Range(0, 8 * 1024).Select(_ => ((string?)null, kilobyte, (int?)0, (long?)null)));
        using (var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "probe" }).Build())
        {
            Assert.True(consumer.QueryWatermarkOffsets(new TopicPartition("small", 0), TimeSpan.FromSeconds(10)).Low.Value > 0, "The broker did not move the log start.");
        }

        var source = KafkaSource<byte[]>.Builder().SetBootstrapServers(broker.BootstrapServers).SetTopics("small").SetBounded()
            .SetStartingOffsets(OffsetsInitializer.Offsets(new Dictionary<TopicPartition, long> { [new TopicPartition("small", 0)] = 0 }))
            .SetDeserializer(KafkaDeserializers.RawBytes).Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestJobs.CollectAsync(TestJobs.Env(1).FromSource(source, WatermarkStrategy<byte[]>.NoWatermarks(), "Small")));
        Assert.Contains("Kafka partition small[0] now starts at offset", Flatten(error), StringComparison.Ordinal);
        Assert.Contains("but the source's position is 0", Flatten(error), StringComparison.Ordinal);
    }

    private static string Header(ConsumeResult<string?, byte[]> record, string name) => Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(name));

    private static string Flatten(Exception error)
    {
        var text = new StringBuilder();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            text.AppendLine(e.Message);
        }

        return text.ToString();
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    /// <summary>Reads at about 3,000 records/s per subtask and fails once, after the sink committed something.</summary>
    private sealed class SlowlyFailOnceAfterACommit(string token, string output) : IMapFunction<string, string>
    {
        private int _seen;

        public string Map(string value)
        {
            if (++_seen % 30 == 0)
            {
                Thread.Sleep(10);
            }

            if (_seen > 500 && !Failures.ContainsKey(token))
            {
                if (Directory.Exists(output) && Directory.EnumerateFiles(output, "part-*").Any() && Failures.TryAdd(token, 1))
                {
                    throw new InvalidOperationException("Injected failure.");
                }

                // Nothing committed yet (a loaded machine): slow down rather than let the rest pass without the failure.
                Thread.Sleep(2);
            }

            return value;
        }
    }
}

public sealed record Order(int Id, decimal Amount);

[JsonSerializable(typeof(Order))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class SourceTestJson : JsonSerializerContext;
