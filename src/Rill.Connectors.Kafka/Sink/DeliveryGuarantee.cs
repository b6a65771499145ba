namespace Rill.Connectors.Kafka.Sink;

/// <summary>What the Kafka sink promises about each record (Flink's DeliveryGuarantee).</summary>
public enum DeliveryGuarantee
{
    /// <summary>Records are sent as they come and only waited for at the end of the input: a failure can lose or duplicate records.</summary>
    None,

    /// <summary>Every checkpoint waits until Kafka acknowledged all records sent before it: a restore may send some records again, none is lost.</summary>
    AtLeastOnce,

    /// <summary>
    /// Records go into Kafka transactions that are committed when the checkpoint after them completes: a read_committed
    /// consumer sees each record once. Needs checkpointing and a transactional id prefix; see Sink/README.md for the one
    /// failure window librdkafka leaves open.
    /// </summary>
    ExactlyOnce,
}
