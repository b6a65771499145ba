using Confluent.Kafka;

namespace Rill.Connectors.Tests.Kafka;

/// <summary>An independent Confluent.Kafka producer for tests (<see cref="TopicReader"/> reads topics back).</summary>
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

    private static void Check<TKey, TValue>(DeliveryReport<TKey, TValue> report)
    {
        if (report.Error.IsError)
        {
            throw new InvalidOperationException($"Test producer: {report.Error.Reason}");
        }
    }
}
