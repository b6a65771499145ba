using Confluent.Kafka;

namespace Rill.Connectors.Tests.Kafka;

/// <summary>Reads a whole topic with an independent consumer (Assign from the beginning, no group rebalancing).</summary>
internal static class TopicReader
{
    /// <summary>
    /// Every record of every partition, read until each partition reported its end (for read_committed: its last stable
    /// offset) and at least <paramref name="atLeast"/> records came, or 30 s passed.
    /// </summary>
    public static List<ConsumeResult<string?, string?>> ReadAll(string bootstrap, string topic, int partitions, int atLeast = 0, IsolationLevel isolation = IsolationLevel.ReadUncommitted) =>
        ReadAll<string?>(bootstrap, topic, partitions, atLeast, isolation);

    /// <summary>The same with values as <typeparamref name="TValue"/> (e.g. <c>byte[]</c> for bytes that are not UTF-8).</summary>
    public static List<ConsumeResult<string?, TValue>> ReadAll<TValue>(string bootstrap, string topic, int partitions, int atLeast = 0, IsolationLevel isolation = IsolationLevel.ReadUncommitted)
    {
        using var consumer = new ConsumerBuilder<string?, TValue>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "rill-sink-tests-" + Guid.NewGuid().ToString("N")[..8],
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            IsolationLevel = isolation,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var results = new List<ConsumeResult<string?, TValue>>();
        var atEnd = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((atEnd.Count < partitions || results.Count < atLeast) && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } result)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
            }
            else
            {
                atEnd.Remove(result.Partition.Value);
                results.Add(result);
            }
        }

        Assert.True(atEnd.Count == partitions && results.Count >= atLeast, $"Read {results.Count} records of topic {topic} (wanted at least {atLeast}), {atEnd.Count} of {partitions} partitions to their end, within 30 s.");
        return results;
    }
}
