using System.Globalization;
using Rill.Sinks;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// Builds a <see cref="KafkaSink{T}"/>. Required: <see cref="SetBootstrapServers"/> and <see cref="SetRecordSerializer"/>;
/// for <see cref="DeliveryGuarantee.ExactlyOnce"/> also <see cref="SetTransactionalIdPrefix"/>. The default guarantee
/// is <see cref="DeliveryGuarantee.None"/>, as in Flink.
/// </summary>
public sealed class KafkaSinkBuilder<T>
{
    private readonly Dictionary<string, string> _properties = new(StringComparer.Ordinal);
    private KafkaRecordSerializer<T>? _serializer;
    private DeliveryGuarantee _guarantee = DeliveryGuarantee.None;
    private string? _transactionalIdPrefix;
    private Action<KafkaTransactionEvent>? _observer;

    internal KafkaSinkBuilder()
    {
    }

    /// <summary>"host:port[,host:port…]" of one or more brokers (librdkafka's bootstrap.servers).</summary>
    public KafkaSinkBuilder<T> SetBootstrapServers(string bootstrapServers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        return SetProperty("bootstrap.servers", bootstrapServers);
    }

    public KafkaSinkBuilder<T> SetRecordSerializer(KafkaRecordSerializer<T> serializer)
    {
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        return this;
    }

    public KafkaSinkBuilder<T> SetDeliveryGuarantee(DeliveryGuarantee guarantee)
    {
        if (!Enum.IsDefined(guarantee))
        {
            throw new ArgumentOutOfRangeException(nameof(guarantee), guarantee, "Not a delivery guarantee.");
        }

        _guarantee = guarantee;
        return this;
    }

    /// <summary>
    /// Names the sink's Kafka transactions "{prefix}-{subtask}-{n}". It must be unique per job (two jobs with one prefix
    /// fence each other's transactions) and stay the same across the job's restarts and restores, which find the
    /// transactions to commit or abort by it.
    /// </summary>
    public KafkaSinkBuilder<T> SetTransactionalIdPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        _transactionalIdPrefix = prefix;
        return this;
    }

    /// <summary>A raw librdkafka producer property (e.g. "linger.ms", "compression.type", "security.protocol").</summary>
    public KafkaSinkBuilder<T> SetProperty(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key == "transactional.id")
        {
            throw new ArgumentException("The Kafka sink sets transactional.id itself, per subtask and checkpoint: use SetTransactionalIdPrefix.", nameof(key));
        }

        _properties[key] = value;
        return this;
    }

    /// <summary>Reports each step of the exactly-once protocol (tests).</summary>
    internal KafkaSinkBuilder<T> SetTransactionObserver(Action<KafkaTransactionEvent> observer)
    {
        _observer = observer;
        return this;
    }

    public KafkaSink<T> Build()
    {
        if (!_properties.ContainsKey("bootstrap.servers"))
        {
            throw new InvalidOperationException("A Kafka sink needs SetBootstrapServers(\"host:port\").");
        }

        if (_serializer is null)
        {
            throw new InvalidOperationException("A Kafka sink needs SetRecordSerializer(KafkaRecordSerializer<T>.Builder()...Build()).");
        }

        if (_guarantee == DeliveryGuarantee.ExactlyOnce && _transactionalIdPrefix is null)
        {
            throw new InvalidOperationException(
                "A Kafka sink with DeliveryGuarantee.ExactlyOnce needs SetTransactionalIdPrefix(...): its transactions are named \"{prefix}-{subtask}-{checkpoint}\", "
                + "and the prefix must be unique per job and stable across its restarts.");
        }

        if (_properties.TryGetValue("transaction.timeout.ms", out var timeout) && !(int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0))
        {
            throw new InvalidOperationException($"transaction.timeout.ms must be a positive number of milliseconds, not '{timeout}'.");
        }

        return new KafkaSink<T>(new KafkaSinkSettings<T>(new Dictionary<string, string>(_properties, StringComparer.Ordinal), _serializer, _guarantee, _transactionalIdPrefix, _observer));
    }
}
