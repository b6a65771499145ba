namespace Rill.Connectors.Kafka.Sink;

/// <summary>Kafka refused or lost what the sink wrote; the message carries the broker's (or librdkafka's) reason.</summary>
public sealed class KafkaSinkException : Exception
{
    public KafkaSinkException(string message)
        : base(message)
    {
    }

    public KafkaSinkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
