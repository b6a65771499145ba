using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Source;

/// <summary>
/// Lists the topics' partitions and resolves where new ones start (and, bounded, stop). Runs off the coordinator thread, one
/// call at a time, with its own admin client and an unassigned consumer for offset requests.
/// </summary>
internal sealed class PartitionDiscovery(KafkaSourceSettings settings) : IDisposable
{
    private readonly IAdminClient _admin = new AdminClientBuilder(new AdminClientConfig(settings.ConnectionProperties())
    {
        BootstrapServers = settings.BootstrapServers,
        ClientId = "rill-kafka-source-enumerator",
    }).SetLogHandler((_, message) => KafkaClientLogging.Log(message)).Build();

    private readonly IConsumer<byte[]?, byte[]?> _offsets = new ConsumerBuilder<byte[]?, byte[]?>(settings.ConsumerConfig("rill-kafka-source-enumerator"))
        .SetLogHandler((_, message) => KafkaClientLogging.Log(message)).Build();

    private readonly Lock _lock = new();
    private bool _running;
    private bool _disposeRequested;
    private bool _released;

    public IReadOnlyList<KafkaPartitionSplit> DiscoverNew(IReadOnlySet<TopicPartition> known)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposeRequested, this);
            _running = true;
        }

        try
        {
            return Discover(known);
        }
        finally
        {
            lock (_lock)
            {
                _running = false;
                if (_disposeRequested)
                {
                    Release();
                }
            }
        }
    }

    private IReadOnlyList<KafkaPartitionSplit> Discover(IReadOnlySet<TopicPartition> known)
    {
        Metadata metadata;
        try
        {
            metadata = _admin.GetMetadata(KafkaSourceSettings.RequestTimeout);
        }
        catch (KafkaException e)
        {
            throw new KafkaSourceException($"The Kafka source cannot reach {settings.BootstrapServers}: {e.Error.Reason}", e);
        }

        var topics = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError && settings.Matches(t.Topic)).ToList();
        if (settings.TopicPattern is null)
        {
            var missing = settings.Topics.Where(name => topics.All(t => t.Topic != name)).ToList();
            if (missing.Count > 0)
            {
                throw new KafkaSourceException($"Kafka topic(s) {string.Join(", ", missing.Select(m => $"'{m}'"))} do not exist on {settings.BootstrapServers}.");
            }
        }

        var fresh = topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId))).Where(p => !known.Contains(p)).ToList();
        if (fresh.Count == 0)
        {
            return [];
        }

        try
        {
            var starts = settings.StartingOffsets.Resolve(fresh, _offsets, KafkaSourceSettings.RequestTimeout);
            var stops = settings.StoppingOffsets?.Resolve(fresh, _offsets, KafkaSourceSettings.RequestTimeout);
            return fresh.Select(p => new KafkaPartitionSplit(p.Topic, p.Partition.Value, starts[p], stops?[p])).ToList();
        }
        catch (KafkaException e)
        {
            throw new KafkaSourceException($"The Kafka source could not resolve the offsets of {fresh.Count} partition(s) of {settings.Describe()}: {e.Error.Reason}", e);
        }
    }

    /// <summary>Never waits for a discovery in flight (that could take a request timeout on the JobMaster thread): the discovery releases the clients when it ends.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposeRequested = true;
            if (!_running)
            {
                Release();
            }
        }
    }

    private void Release()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        _offsets.Close();
        _offsets.Dispose();
        _admin.Dispose();
    }
}
