namespace Rill.Sinks;

/// <summary>What a sink promises about each record after failures and restarts (Flink's DeliveryGuarantee); each sink says which it supports.</summary>
public enum DeliveryGuarantee
{
    /// <summary>Records are written as they come and only waited for at the end of the input: a failure can lose or duplicate records.</summary>
    None,

    /// <summary>Every checkpoint waits until all records written before it are durable: a restore may write some again, none is lost.</summary>
    AtLeastOnce,

    /// <summary>Records become visible once, when the checkpoint after them completes (two-phase commit); needs checkpointing.</summary>
    ExactlyOnce,
}
