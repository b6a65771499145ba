namespace Rill.Checkpointing;

public enum CheckpointingMode
{
    /// <summary>Barriers are aligned: a task blocks an input that delivered barrier n until every input has.</summary>
    ExactlyOnce,

    /// <summary>No alignment: records after a barrier may be in the snapshot, so some are replayed after a restore.</summary>
    AtLeastOnce,
}
