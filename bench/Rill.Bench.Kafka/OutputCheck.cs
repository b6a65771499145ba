using Confluent.Kafka;

namespace Rill.Bench.Kafka;

/// <summary>
/// The verdict on one output topic, read whole after the contender stopped (a fresh consumer, independent of the
/// watcher that timed it): the last count per (window, user) must be the expected result, nothing more, nothing less.
/// </summary>
public sealed record OutputCheck(long Records, string? Problem)
{
    public static OutputCheck Read(string bootstrapServers, string topic, int partitions, ExpectedCounts expected)
    {
        var tally = new OutputTally(expected);
        using var consumer = new ConsumerBuilder<string?, string?>(TopicReader.Config(bootstrapServers)).Build();
        var (records, logStarts) = TopicReader.ReadToEnd(consumer, topic, partitions, r => tally.Add(r.Message.Key, r.Message.Value), TimeSpan.FromMinutes(2));
        if (logStarts.Any(s => s > 0))
        {
            // Dropped records could have been wrong ones: the output cannot be vouched for.
            return new OutputCheck(records, $"the broker dropped the oldest output records (log starts {string.Join(" ", logStarts)}; it keeps ~5 MiB per partition)");
        }

        return new OutputCheck(records, tally.Complete ? null : tally.Differences());
    }
}
