using Confluent.Kafka;

namespace Rill.Connectors.Tests.Kafka;

/// <summary>An independent Confluent.Kafka client for tests: produces input and reads a topic back with Assign (never a group).</summary>
internal static class KafkaTestClient
{
    public static void Produce(string bootstrap, string topic, IEnumerable<(string? Key, byte[] Value, int? Partition, long? Timestamp)> records)
    {
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, LingerMs = 5 }).Build();
        foreach (var (key, value, partition, timestamp) in records)
        {
            var message = new Message<string?, byte[]> { Key = key, Value = value };
            if (timestamp is { } ms)
            {
                message.Timestamp = new Timestamp(ms, TimestampType.CreateTime);
            }

            if (partition is { } p)
            {
                producer.Produce(new TopicPartition(topic, p), message, Check);
            }
            else
            {
                producer.Produce(topic, message, Check);
            }
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    public static void ProduceStrings(string bootstrap, string topic, IEnumerable<string> values, Func<string, string?>? key = null) =>
        Produce(bootstrap, topic, values.Select(v => (key?.Invoke(v), System.Text.Encoding.UTF8.GetBytes(v), (int?)null, (long?)null)));

    /// <summary>Every record of the topic, from the start to the end it has now.</summary>
    public static List<ConsumeResult<string?, byte[]>> ReadAll(string bootstrap, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "rill-tests-reader",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        var ends = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
        var open = ends.Where(e => e.Value > 0).Select(e => e.Key).ToHashSet();
        consumer.Assign(open.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var records = new List<ConsumeResult<string?, byte[]>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (open.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Reading '{topic}' did not reach its end within 30 s.");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (!result.IsPartitionEOF)
            {
                records.Add(result);
            }

            if (result.Offset.Value + (result.IsPartitionEOF ? 0 : 1) >= ends[result.TopicPartition])
            {
                open.Remove(result.TopicPartition);
            }
        }

        return records;
    }

    private static void Check<TKey, TValue>(DeliveryReport<TKey, TValue> report)
    {
        if (report.Error.IsError)
        {
            throw new InvalidOperationException($"Test producer: {report.Error.Reason}");
        }
    }
}
