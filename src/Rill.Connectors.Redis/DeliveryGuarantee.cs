namespace Rill.Connectors.Redis;

/// <summary>What a sink promises about each record after failures and restarts (Flink's DeliveryGuarantee).</summary>
public enum DeliveryGuarantee
{
    /// <summary>Every record is written exactly once, visible once the checkpoint that covers it completes (needs checkpointing).</summary>
    ExactlyOnce,

    /// <summary>Every record is written at once and made durable at each checkpoint; a restart may write some a second time.</summary>
    AtLeastOnce,
}
