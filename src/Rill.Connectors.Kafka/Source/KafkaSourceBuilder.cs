using System.Text.RegularExpressions;

namespace Rill.Connectors.Kafka.Source;

/// <summary>Builds a <see cref="KafkaSource{T}"/> (Flink's KafkaSourceBuilder); <see cref="Build"/> checks the combination.</summary>
public sealed class KafkaSourceBuilder<T>
{
    private string? _bootstrapServers;
    private readonly List<string> _topics = [];
    private Regex? _topicPattern;
    private string? _groupId;
    private OffsetsInitializer _startingOffsets = OffsetsInitializer.Earliest();
    private OffsetsInitializer? _stoppingOffsets;
    private TimeSpan _discoveryInterval = TimeSpan.FromSeconds(30);
    private string? _deadLetterTopic;
    private IKafkaRecordDeserializer<T>? _deserializer;
    private readonly Dictionary<string, string> _properties = [];

    internal KafkaSourceBuilder()
    {
    }

    public KafkaSourceBuilder<T> SetBootstrapServers(string bootstrapServers)
    {
        _bootstrapServers = bootstrapServers;
        return this;
    }

    public KafkaSourceBuilder<T> SetTopics(params string[] topics)
    {
        _topics.AddRange(topics);
        return this;
    }

    /// <summary>Every topic whose whole name matches; topics created later are found by partition discovery.</summary>
    public KafkaSourceBuilder<T> SetTopicPattern(string pattern)
    {
        _topicPattern = new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant);
        return this;
    }

    /// <summary>The consumer group offsets are committed to after each checkpoint (for monitoring: the source's positions live in its checkpoints).</summary>
    public KafkaSourceBuilder<T> SetGroupId(string groupId)
    {
        _groupId = groupId;
        return this;
    }

    public KafkaSourceBuilder<T> SetStartingOffsets(OffsetsInitializer startingOffsets)
    {
        _startingOffsets = startingOffsets;
        return this;
    }

    /// <summary>Bounded mode: stop at <paramref name="stoppingOffsets"/> (default: the offsets that were latest when the job started) and finish.</summary>
    public KafkaSourceBuilder<T> SetBounded(OffsetsInitializer? stoppingOffsets = null)
    {
        _stoppingOffsets = stoppingOffsets ?? OffsetsInitializer.Latest();
        return this;
    }

    /// <summary>How often an unbounded source looks for new topics and partitions; <see cref="TimeSpan.Zero"/> turns discovery off.</summary>
    public KafkaSourceBuilder<T> SetPartitionDiscoveryInterval(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        _discoveryInterval = interval;
        return this;
    }

    /// <summary>Malformed records go to this topic (original key and value, the reason and origin in headers) and the job keeps running. Without it, a malformed record fails the job (fail-fast).</summary>
    public KafkaSourceBuilder<T> SetDeadLetterTopic(string topic)
    {
        _deadLetterTopic = topic;
        return this;
    }

    public KafkaSourceBuilder<T> SetDeserializer(IKafkaRecordDeserializer<T> deserializer)
    {
        _deserializer = deserializer;
        return this;
    }

    /// <summary>
    /// A librdkafka consumer property, e.g. <c>fetch.min.bytes</c> or <c>security.protocol</c>; connection and security
    /// properties (<c>security.*</c>, <c>sasl.*</c>, <c>ssl.*</c>, <c>socket.*</c>, …) also go to the source's admin client and dead-letter producer.
    /// </summary>
    public KafkaSourceBuilder<T> SetProperty(string key, string value)
    {
        _properties[key] = value;
        return this;
    }

    public KafkaSource<T> Build()
    {
        if (string.IsNullOrWhiteSpace(_bootstrapServers))
        {
            throw new ArgumentException("The Kafka source needs bootstrap servers (SetBootstrapServers(\"host:port\")).");
        }

        if ((_topics.Count == 0) == (_topicPattern is null))
        {
            throw new ArgumentException("The Kafka source needs either topics (SetTopics) or a topic pattern (SetTopicPattern), not both.");
        }

        if (_topics.FirstOrDefault(t => string.IsNullOrWhiteSpace(t)) is not null)
        {
            throw new ArgumentException("A Kafka topic name is empty.");
        }

        if (_groupId is null && (_startingOffsets.UsesCommittedOffsets || _stoppingOffsets?.UsesCommittedOffsets == true))
        {
            throw new ArgumentException("Committed offsets need the group they were committed to: SetGroupId(\"…\").");
        }

        var deserializer = _deserializer ?? throw new ArgumentException("The Kafka source needs a deserializer (SetDeserializer, e.g. KafkaDeserializers.Utf8String).");
        var settings = new KafkaSourceSettings(_bootstrapServers, _topics.Distinct().ToList(), _topicPattern, _groupId, _startingOffsets, _stoppingOffsets,
            _stoppingOffsets is null ? _discoveryInterval : TimeSpan.Zero, _deadLetterTopic, new Dictionary<string, string>(_properties));
        return new KafkaSource<T>(settings, deserializer);
    }
}
