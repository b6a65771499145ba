namespace Rill.Connectors.Kafka.Sink;

/// <summary>One stream element as it goes to Kafka; <see cref="Timestamp"/> is the element's event time (null: the producer's clock).</summary>
internal readonly record struct KafkaProducerRecord(string Topic, byte[]? Key, byte[]? Value, long? Timestamp);
