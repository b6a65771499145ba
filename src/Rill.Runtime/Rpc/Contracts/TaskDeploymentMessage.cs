using ProtoBuf;

namespace Rill.Runtime.Rpc.Contracts;

/// <summary>
/// A <see cref="Tasks.TaskDeploymentDescriptor"/> on the wire: vertex, data set and partition ids instead of graph
/// objects. The receiving TaskManager resolves them against the job graph it rebuilt from the same program, and
/// <see cref="PlanFingerprint"/> makes a different program (another build, other arguments) fail loudly.
/// </summary>
[ProtoContract]
public sealed class TaskDeploymentMessage
{
    [ProtoMember(1)] public Guid JobId { get; set; }
    [ProtoMember(2)] public string VertexId { get; set; } = "";
    [ProtoMember(3)] public int SubtaskIndex { get; set; }
    [ProtoMember(4)] public int AttemptNumber { get; set; }
    [ProtoMember(5)] public Guid ExecutionAttemptId { get; set; }
    [ProtoMember(6)] public List<InputGateMessage> InputGates { get; set; } = [];
    [ProtoMember(7)] public List<ProducedPartitionMessage> ProducedPartitions { get; set; } = [];
    [ProtoMember(8)] public string PlanFingerprint { get; set; } = "";

    /// <summary>The state the attempt restores (a <see cref="Checkpointing.TaskRestore"/> as JSON), or null.</summary>
    [ProtoMember(9)] public string? RestoreJson { get; set; }

    /// <summary>Every vertex's parallelism: a reactive job runs at another parallelism than the program set, and the receiver rescales its plan to match.</summary>
    [ProtoMember(10)] public Dictionary<string, int> VertexParallelism { get; set; } = [];
}

[ProtoContract]
public sealed class InputGateMessage
{
    /// <summary>The consumed data set; its edge is the gate's edge.</summary>
    [ProtoMember(1)] public string DataSetId { get; set; } = "";
    [ProtoMember(2)] public List<InputChannelMessage> Channels { get; set; } = [];
}

[ProtoContract]
public sealed class InputChannelMessage
{
    [ProtoMember(1)] public string DataSetId { get; set; } = "";
    [ProtoMember(2)] public int ProducerSubtask { get; set; }
    [ProtoMember(3)] public int Attempt { get; set; }
    [ProtoMember(4)] public int ProducerSubpartitions { get; set; }
    [ProtoMember(5)] public int SubpartitionIndex { get; set; }
    [ProtoMember(6)] public string? ProducerHost { get; set; }
    [ProtoMember(7)] public int ProducerPort { get; set; }
}

[ProtoContract]
public sealed class ProducedPartitionMessage
{
    [ProtoMember(1)] public string DataSetId { get; set; } = "";
    [ProtoMember(2)] public int ProducerSubtask { get; set; }
    [ProtoMember(3)] public int Attempt { get; set; }
    [ProtoMember(4)] public int NumberOfSubpartitions { get; set; }
}
