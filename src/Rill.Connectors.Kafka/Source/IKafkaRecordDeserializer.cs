namespace Rill.Connectors.Kafka.Source;

/// <summary>
/// Turns a Kafka record into a stream element (Flink's KafkaRecordDeserializationSchema). A malformed record throws with the
/// reason (e.g. <see cref="MalformedRecordException"/>); the source then sends it to the dead-letter topic or, with
/// fail-fast, fails the job. It never drops a record silently.
/// </summary>
public interface IKafkaRecordDeserializer<out T>
{
    T Deserialize(in KafkaRecord record);
}

/// <summary>The record cannot become an element; the message is the reason that goes with it to the dead-letter topic.</summary>
public sealed class MalformedRecordException(string reason) : Exception(reason);
