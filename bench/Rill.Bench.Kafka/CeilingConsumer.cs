using System.Diagnostics;
using Confluent.Kafka;

namespace Rill.Bench.Kafka;

/// <summary>
/// The ceiling: a plain Confluent.Kafka consumer reading the whole input topic (all partitions assigned, from the
/// earliest offset, to the end) with no processing but the keys' and values' byte arrays. No stream processor on
/// the same client and broker can read faster.
/// </summary>
public static class CeilingConsumer
{
    public static TimeSpan Run(string bootstrapServers, string topic, int partitions, long expectedRecords)
    {
        var stopwatch = Stopwatch.StartNew();
        long bytes = 0;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(TopicReader.Config(bootstrapServers)).Build();
        var (records, _) = TopicReader.ReadToEnd(consumer, topic, partitions, r => bytes += r.Message.Key.Length + r.Message.Value.Length, TimeSpan.FromMinutes(2));
        var elapsed = stopwatch.Elapsed;
        if (records != expectedRecords || bytes == 0)
        {
            throw new InvalidOperationException($"The ceiling consumer read {records} records ({bytes} bytes); {expectedRecords} were produced.");
        }

        return elapsed;
    }
}
