using Confluent.Kafka;

namespace Rill.AppHost.Tests;

/// <summary>Reads every partition of a topic from its beginning, a bit more on each call: the test's own view of a topic.</summary>
internal sealed class TopicReader : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    private readonly IConsumer<string, string> _consumer;
    private readonly List<TopicPartition> _partitions;

    public TopicReader(string bootstrapServers, string topic)
    {
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build())
        {
            var metadata = admin.GetMetadata(topic, RequestTimeout).Topics.Single();
            _partitions = metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
            Assert.True(_partitions.Count > 0, $"Topic {topic} has no partitions ({metadata.Error.Reason}).");
        }

        _consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "rill-apphost-tests-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).Build();
        _consumer.Assign(_partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
    }

    /// <summary>The values that arrived since the last call, up to what the topic held when this call began.</summary>
    public List<string> ReadToCurrentEnd(CancellationToken cancellation)
    {
        var ends = _partitions.ToDictionary(p => p, p => _consumer.QueryWatermarkOffsets(p, RequestTimeout).High.Value);
        var values = new List<string>();
        while (_partitions.Any(p => Position(p) < ends[p]))
        {
            cancellation.ThrowIfCancellationRequested();
            if (_consumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message: { } message })
            {
                values.Add(message.Value);
            }
        }

        return values;
    }

    public void Dispose() => _consumer.Close();

    private long Position(TopicPartition partition) => _consumer.Position(partition) is { Value: >= 0 } offset ? offset.Value : 0;
}
