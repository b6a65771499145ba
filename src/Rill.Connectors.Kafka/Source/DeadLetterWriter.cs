using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Source;

/// <summary>
/// Sends malformed records to the dead-letter topic: the original key, value and headers, plus <c>rill.error</c> (the reason)
/// and <c>rill.source.topic/partition/offset</c>. Flushed at every checkpoint, so a dead letter is never lost once the
/// checkpoint that moved past its record completes (at-least-once: a replay may send one twice).
/// </summary>
internal sealed class DeadLetterWriter(KafkaSourceSettings settings, string topic, string clientId) : IDisposable
{
    private readonly IProducer<byte[]?, byte[]?> _producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig(settings.ConnectionProperties())
    {
        BootstrapServers = settings.BootstrapServers,
        ClientId = clientId,
        Acks = Acks.All,
        EnableIdempotence = true,
    }).SetLogHandler((_, message) => KafkaClientLogging.Log(message)).Build();

    private volatile string? _error;

    public long Sent { get; private set; }

    public void Send(in KafkaRecord record, string reason)
    {
        ThrowIfFailed();
        var headers = new Headers();
        foreach (var header in record.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        headers.Add("rill.error", Encoding.UTF8.GetBytes(reason));
        headers.Add("rill.source.topic", Encoding.UTF8.GetBytes(record.Topic));
        headers.Add("rill.source.partition", Encoding.UTF8.GetBytes(record.Partition.ToString(CultureInfo.InvariantCulture)));
        headers.Add("rill.source.offset", Encoding.UTF8.GetBytes(record.Offset.ToString(CultureInfo.InvariantCulture)));
        _producer.Produce(topic, new Message<byte[]?, byte[]?> { Key = record.Key, Value = record.Value, Headers = headers }, report =>
        {
            if (report.Error.IsError)
            {
                _error ??= report.Error.Reason;
            }
        });
        Sent++;
    }

    /// <summary>Waits until every dead letter is acknowledged; throws when one could not be written.</summary>
    public void Flush()
    {
        var timeout = KafkaSourceSettings.RequestTimeout;
        if (_producer.Flush(timeout) > 0)
        {
            throw new KafkaSourceException($"Dead letters for topic '{topic}' were not acknowledged within {timeout.TotalSeconds:0} s.");
        }

        ThrowIfFailed();
    }

    private void ThrowIfFailed()
    {
        if (_error is { } error)
        {
            throw new KafkaSourceException($"Writing to the dead-letter topic '{topic}' failed: {error}");
        }
    }

    public void Dispose() => _producer.Dispose();
}
