using Confluent.Kafka;

namespace Rill.Connectors.Tests;

/// <summary>
/// The development broker speaks the real Kafka protocol to an independent client (Confluent.Kafka): records produced
/// to a partitioned topic are read back in order per partition, topics can be created while it runs, and it stops
/// cleanly on SIGTERM.
/// </summary>
[Collection("Connector processes")]
public sealed class DevKafkaBrokerTests
{
    [Fact]
    public async Task RecordsProducedToAPartitionedTopicAreReadBackInOrderPerPartition()
    {
        using var broker = await DevKafkaBroker.StartAsync("--brokers", "2", "--topic", "clicks:4");
        Assert.Equal(2, broker.BootstrapServers.Split(',').Length);
        Assert.Contains(broker.BootstrapServers, broker.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("DEVELOPMENT", broker.StandardError, StringComparison.Ordinal);

        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All }).Build())
        {
            for (var i = 0; i < 1000; i++)
            {
                producer.Produce("clicks", new Message<string, string> { Key = $"user-{i % 10}", Value = $"{i}" });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var consumed = Consume(broker.BootstrapServers, "clicks", 4, 1000);

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"{i}"), consumed.Select(r => r.Message.Value).OrderBy(int.Parse));
        // One key always lands in one partition, and a partition keeps the order records were produced in.
        foreach (var key in consumed.GroupBy(r => r.Message.Key))
        {
            Assert.Single(key.Select(r => r.Partition.Value).Distinct());
            var values = key.OrderBy(r => r.Offset.Value).Select(r => int.Parse(r.Message.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(values.Order(), values);
        }
    }

    [Fact]
    public async Task ATopicCreatedThroughTheControlChannelWhileItRunsCanBeUsedAndBadCommandsGetAReason()
    {
        using var broker = await DevKafkaBroker.StartAsync("--topic", "first:1");

        Assert.Equal("created late-topic 3", await broker.CommandAsync("create-topic late-topic 3"));
        Assert.StartsWith("error: ", await broker.CommandAsync("create-topic bad/name 1"), StringComparison.Ordinal);
        Assert.StartsWith("error: unknown command", await broker.CommandAsync("delete-topic first"), StringComparison.Ordinal);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var topic = admin.GetMetadata("late-topic", TimeSpan.FromSeconds(10)).Topics.Single();
        Assert.Equal(ErrorCode.NoError, topic.Error.Code);
        Assert.Equal(3, topic.Partitions.Count);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(new TopicPartition("late-topic", 2), new Message<Null, string> { Value = "hello" });
        }

        Assert.Equal("hello", Assert.Single(Consume(broker.BootstrapServers, "late-topic", 3, 1)).Message.Value);
    }

    [Fact]
    public async Task SigtermStopsItWithExitCode0AndRemovesItsBootstrapFileAndBadOptionsGetExitCode2()
    {
        using var broker = await DevKafkaBroker.StartAsync("--topic", "t:1");
        broker.Terminate();
        Assert.True(broker.WaitForExit(TimeSpan.FromSeconds(15)), "The broker did not stop on SIGTERM.");
        Assert.Equal(0, broker.ExitCode);
        // The ports it announced are gone with it: nobody must find them later.
        Assert.False(File.Exists(broker.BootstrapFile), "The stopped broker left its bootstrap file behind.");

        var usage = await Assert.ThrowsAsync<InvalidOperationException>(() => DevKafkaBroker.StartAsync("--topic", "no-partitions"));
        Assert.Contains("exited with 2", usage.Message, StringComparison.Ordinal);
        Assert.Contains("NAME:PARTITIONS", usage.Message, StringComparison.Ordinal);
    }

    /// <summary>Reads every partition from the start with Assign (no group rebalancing), until <paramref name="count"/> records came.</summary>
    private static List<ConsumeResult<string, string>> Consume(string bootstrap, string topic, int partitions, int count)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "rill-tests",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var results = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (results.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                results.Add(result);
            }
        }

        Assert.True(results.Count == count, $"Read {results.Count} of {count} records within 30 s.");
        return results;
    }
}
