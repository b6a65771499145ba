using Rill.Network;
using Rill.Sources;

namespace Rill.Tasks;

/// <summary>What the hosting TaskManager provides to a task: its partitions, clocks and the path to coordinators.</summary>
public sealed record TaskEnvironment(
    ResultPartitionManager Partitions,
    IProcessingTimeService ProcessingTime,
    Action<string, OperatorEvent> SendEventToCoordinator,
    Checkpointing.ICheckpointResponder? Checkpoints = null);
