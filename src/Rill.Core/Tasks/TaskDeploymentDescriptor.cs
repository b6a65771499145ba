using Rill.Graph;
using Rill.Network;

namespace Rill.Tasks;

/// <summary>
/// Which partition (and which of its subpartitions) one input channel reads, and where: in this TaskManager's
/// memory when <see cref="ProducerDataAddress"/> is null, else over TCP from the producer's TaskManager.
/// </summary>
public readonly record struct InputChannelDescriptor(ResultPartitionId Partition, int ProducerSubpartitions, int SubpartitionIndex,
    System.Net.IPEndPoint? ProducerDataAddress = null);

/// <summary>One input edge of the vertex and the channels this subtask reads on it.</summary>
public sealed record InputGateDescriptor(JobEdge Edge, IReadOnlyList<InputChannelDescriptor> Channels);

/// <summary>One produced data set: the partition this subtask writes and how many consumers read it.</summary>
public sealed record ResultPartitionDescriptor(IntermediateDataSet DataSet, ResultPartitionId Id, int NumberOfSubpartitions);

/// <summary>Everything a TaskManager needs to run one subtask attempt (Flink's TaskDeploymentDescriptor).</summary>
public sealed record TaskDeploymentDescriptor(
    JobGraph Job,
    JobVertex Vertex,
    int SubtaskIndex,
    int AttemptNumber,
    Guid ExecutionAttemptId,
    IReadOnlyList<InputGateDescriptor> InputGates,
    IReadOnlyList<ResultPartitionDescriptor> ProducedPartitions,
    Checkpointing.TaskRestore? Restore = null)
{
    public TaskInfo TaskInfo => new(Vertex.Name, SubtaskIndex, Vertex.Parallelism, Vertex.MaxParallelism, AttemptNumber, Job.JobId);
}
