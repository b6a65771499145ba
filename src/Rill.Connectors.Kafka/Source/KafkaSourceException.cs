namespace Rill.Connectors.Kafka.Source;

/// <summary>A Kafka source cannot go on: a missing topic, a malformed record with fail-fast, a lost position, a broker error.</summary>
public sealed class KafkaSourceException : Exception
{
    public KafkaSourceException(string message)
        : base(message)
    {
    }

    public KafkaSourceException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
