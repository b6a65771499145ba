using Rill.Network;

namespace Rill.Checkpointing;

/// <summary>
/// Travels in-band with records from the sources down: everything before it belongs to checkpoint
/// <see cref="CheckpointId"/>, everything after it to the next. A task snapshots its state once it has seen this
/// barrier on every input (Flink's asynchronous barrier snapshotting).
/// </summary>
/// <param name="Location">The directory this checkpoint's state files go to (decided by the JobMaster).</param>
public sealed record CheckpointBarrier(long CheckpointId, long Timestamp, CheckpointKind Kind, string Location) : StreamEvent;
