using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// One librdkafka producer of the sink. Records are sent asynchronously; the first failed delivery (or fatal producer
/// error) is kept and thrown by the next call, so a producer error fails the task with the broker's reason.
/// <see cref="FlushAll"/> waits until Kafka acknowledged every record sent so far.
/// </summary>
internal sealed class SinkProducer : IDisposable
{
    private static long s_instances;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivery;
    private readonly Lock _lock = new();
    private readonly List<TopicPartitionOffset>? _delivered;
    private KafkaSinkException? _failure;
    private KafkaException? _fatal;

    /// <param name="trackDeliveries">Keep where each record landed (for an observer; costs memory per record).</param>
    /// <param name="statistics">Receives librdkafka's statistics JSON (needs statistics.interval.ms in <paramref name="config"/>).</param>
    public SinkProducer(Dictionary<string, string> config, bool trackDeliveries, Action<string>? statistics = null)
    {
        TransactionalId = config.GetValueOrDefault("transactional.id");
        _delivered = trackDeliveries ? [] : null;
        _onDelivery = OnDelivery;
        try
        {
            var builder = new ProducerBuilder<byte[], byte[]>(config);
            if (statistics is not null)
            {
                builder.SetStatisticsHandler((_, json) => statistics(json));
            }

            _producer = builder
                .SetLogHandler((_, message) => KafkaClientLogging.Log(message))
                .SetErrorHandler((_, error) =>
                {
                    // Other errors are transient (a broker went away): librdkafka retries them, and a record it gives
                    // up on comes back as a failed delivery.
                    if (error.IsFatal)
                    {
                        lock (_lock)
                        {
                            _fatal ??= new KafkaException(error);
                        }
                    }
                })
                .Build();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new KafkaSinkException($"The Kafka sink's producer configuration is invalid: {e.Message}", e);
        }
    }

    public long Instance { get; } = Interlocked.Increment(ref s_instances);

    public string? TransactionalId { get; }

    /// <summary>Records sent through this producer.</summary>
    public long Written { get; private set; }

    public IProducer<byte[], byte[]> Client => _producer;

    public IReadOnlyList<TopicPartitionOffset> Delivered
    {
        get
        {
            lock (_lock)
            {
                return _delivered?.ToList() ?? [];
            }
        }
    }

    public void Send(KafkaProducerRecord record)
    {
        ThrowIfFailed();
        var message = new Message<byte[], byte[]>
        {
            Key = record.Key!,
            Value = record.Value!,
            Timestamp = record.Timestamp is { } timestamp ? new Timestamp(timestamp, TimestampType.CreateTime) : Timestamp.Default,
        };
        while (true)
        {
            try
            {
                _producer.Produce(record.Topic, message, _onDelivery);
                Written++;
                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Backpressure: librdkafka's queue is full until Kafka acknowledges some records.
                _producer.Flush(TimeSpan.FromMilliseconds(100));
            }
            catch (ProduceException<byte[], byte[]> e)
            {
                throw new KafkaSinkException($"The Kafka sink could not write to topic '{record.Topic}': {e.Error.Reason}", e);
            }
        }
    }

    /// <summary>Waits until Kafka acknowledged (or librdkafka gave up on, after message.timeout.ms) every record sent; throws the first failure.</summary>
    public void FlushAll()
    {
        while (_producer.Flush(TimeSpan.FromSeconds(1)) > 0)
        {
            ThrowIfFailed();
        }

        ThrowIfFailed();
    }

    public void ThrowIfFailed()
    {
        lock (_lock)
        {
            // A fatal error (e.g. fenced by a newer producer of the same transactional id) also fails the records in
            // flight, with the less telling "Local: Fatal error": its own reason is named with them.
            if (_fatal is not null && (_failure is null || !_failure.Message.Contains(_fatal.Error.Reason, StringComparison.Ordinal)))
            {
                _failure = _failure is null
                    ? new KafkaSinkException($"The Kafka producer{Describe()} failed: {_fatal.Error.Reason}", _fatal)
                    : new KafkaSinkException($"{_failure.Message} (the producer failed: {_fatal.Error.Reason})", _failure.InnerException!);
            }

            if (_failure is not null)
            {
                throw _failure;
            }
        }
    }

    private void OnDelivery(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            Fail($"The Kafka sink could not write to topic '{report.Topic}'{Describe()}: {report.Error.Reason}", new KafkaException(report.Error));
            return;
        }

        if (_delivered is not null)
        {
            lock (_lock)
            {
                _delivered.Add(report.TopicPartitionOffset);
            }
        }
    }

    private void Fail(string message, Exception cause)
    {
        lock (_lock)
        {
            _failure ??= new KafkaSinkException(message, cause);
        }
    }

    private string Describe() => TransactionalId is null ? "" : $" (transactional id '{TransactionalId}')";

    public void Dispose() => _producer.Dispose();
}
