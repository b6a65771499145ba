using ProtoBuf;

namespace Rill.Runtime.Rpc.Contracts;

// Control-plane messages. They carry ids and small values only: a job's graph is never shipped (every process rebuilds
// it from the program), and opaque payloads (operator events) travel as bytes their own serializer understands.

[ProtoContract]
public sealed class Ack
{
    public static readonly Ack Instance = new();
}

/// <summary>An exception that crossed a process boundary: its type name, message and stack trace as text.</summary>
[ProtoContract]
public sealed class FailureMessage
{
    [ProtoMember(1)] public string TypeName { get; set; } = "";
    [ProtoMember(2)] public string Message { get; set; } = "";
    [ProtoMember(3)] public string Details { get; set; } = "";
}

[ProtoContract]
public sealed class RegisterTaskExecutorRequest
{
    [ProtoMember(1)] public string TaskManagerId { get; set; } = "";
    [ProtoMember(2)] public string RpcAddress { get; set; } = "";
    [ProtoMember(3)] public string? DataHost { get; set; }
    [ProtoMember(4)] public int DataPort { get; set; }
    [ProtoMember(5)] public int NumberOfSlots { get; set; }
}

[ProtoContract]
public sealed class SlotFreedRequest
{
    [ProtoMember(1)] public string TaskManagerId { get; set; } = "";
    [ProtoMember(2)] public int SlotIndex { get; set; }
}

[ProtoContract]
public sealed class ConnectRequest
{
    [ProtoMember(1)] public string TaskManagerId { get; set; } = "";
}

[ProtoContract]
public sealed class HeartbeatSignal
{
    [ProtoMember(1)] public long SentAtUnixMs { get; set; }
}

/// <summary>A TaskManager's answer to a heartbeat: alive, and its data-plane metrics.</summary>
[ProtoContract]
public sealed class HeartbeatResponse
{
    [ProtoMember(1)] public long DataBytesSent { get; set; }
    [ProtoMember(2)] public long MaxInFlightBytesPerChannel { get; set; }
    [ProtoMember(3)] public long MaxCreditBytesPerChannel { get; set; }
}

[ProtoContract]
public sealed class SlotOfferMessage
{
    [ProtoMember(1)] public Guid AllocationId { get; set; }
    [ProtoMember(2)] public int SlotIndex { get; set; }
}

[ProtoContract]
public sealed class OfferSlotsRequest
{
    [ProtoMember(1)] public Guid JobId { get; set; }
    [ProtoMember(2)] public string TaskManagerId { get; set; } = "";
    [ProtoMember(3)] public List<SlotOfferMessage> Offers { get; set; } = [];
}

[ProtoContract]
public sealed class OfferSlotsResponse
{
    [ProtoMember(1)] public List<Guid> AcceptedAllocationIds { get; set; } = [];
}

[ProtoContract]
public sealed class TaskMetricsMessage
{
    [ProtoMember(1)] public long RecordsIn { get; set; }
    [ProtoMember(2)] public long RecordsOut { get; set; }
    [ProtoMember(3)] public long BuffersIn { get; set; }
    [ProtoMember(4)] public long BuffersOut { get; set; }
    [ProtoMember(5)] public long BytesIn { get; set; }
    [ProtoMember(6)] public long BytesOut { get; set; }
    [ProtoMember(7)] public long BusyTicks { get; set; }
    [ProtoMember(8)] public long IdleTicks { get; set; }
    [ProtoMember(9)] public long BackPressuredTicks { get; set; }
    [ProtoMember(10)] public long RemoteBytesIn { get; set; }
}

[ProtoContract]
public sealed class TaskExecutionStateMessage
{
    [ProtoMember(1)] public Guid JobId { get; set; }
    [ProtoMember(2)] public Guid ExecutionAttemptId { get; set; }
    [ProtoMember(3)] public int State { get; set; }
    [ProtoMember(4)] public FailureMessage? Failure { get; set; }
    [ProtoMember(5)] public Dictionary<string, long>? Accumulators { get; set; }
    [ProtoMember(6)] public TaskMetricsMessage? Metrics { get; set; }
}

[ProtoContract]
public sealed class OperatorEventMessage
{
    [ProtoMember(1)] public Guid JobId { get; set; }
    [ProtoMember(2)] public Guid ExecutionAttemptId { get; set; }
    [ProtoMember(3)] public string OperatorId { get; set; } = "";
    [ProtoMember(4)] public byte[] Payload { get; set; } = [];

    /// <summary>Orders events and checkpoint triggers to one subtask attempt (JobMaster to TaskManager only).</summary>
    [ProtoMember(5)] public long Sequence { get; set; }
}

/// <summary>Starts a checkpoint at a source subtask.</summary>
[ProtoContract]
public sealed class CheckpointTriggerMessage
{
    [ProtoMember(1)] public Guid ExecutionAttemptId { get; set; }
    [ProtoMember(2)] public long Sequence { get; set; }
    [ProtoMember(3)] public long CheckpointId { get; set; }
    [ProtoMember(4)] public long Timestamp { get; set; }
    [ProtoMember(5)] public int Kind { get; set; }
    [ProtoMember(6)] public string Location { get; set; } = "";
}

[ProtoContract]
public sealed class CheckpointNotificationMessage
{
    [ProtoMember(1)] public Guid ExecutionAttemptId { get; set; }
    [ProtoMember(2)] public long CheckpointId { get; set; }
}

/// <summary>A subtask's acknowledgement: its state handles as JSON (file paths and offsets, never the state itself).</summary>
[ProtoContract]
public sealed class CheckpointAcknowledgeMessage
{
    [ProtoMember(1)] public Guid JobId { get; set; }
    [ProtoMember(2)] public Guid ExecutionAttemptId { get; set; }
    [ProtoMember(3)] public long CheckpointId { get; set; }
    [ProtoMember(4)] public string StateJson { get; set; } = "";
}

[ProtoContract]
public sealed class CheckpointDeclineMessage
{
    [ProtoMember(1)] public Guid JobId { get; set; }
    [ProtoMember(2)] public Guid ExecutionAttemptId { get; set; }
    [ProtoMember(3)] public long CheckpointId { get; set; }
    [ProtoMember(4)] public string Reason { get; set; } = "";
}

[ProtoContract]
public sealed class RequestSlotRequest
{
    [ProtoMember(1)] public int SlotIndex { get; set; }
    [ProtoMember(2)] public Guid JobId { get; set; }
    [ProtoMember(3)] public Guid AllocationId { get; set; }
    [ProtoMember(4)] public string JobMasterAddress { get; set; } = "";
}

[ProtoContract]
public sealed class SubmitTaskRequest
{
    [ProtoMember(1)] public Guid AllocationId { get; set; }
    [ProtoMember(2, IsRequired = true)] public TaskDeploymentMessage Deployment { get; set; } = new();

    /// <summary>Session mode: the uploaded program to plan; null in application mode (the TaskManager runs it already).</summary>
    [ProtoMember(3)] public ProgramMessage? Program { get; set; }
}

[ProtoContract]
public sealed class ProgramMessage
{
    [ProtoMember(1)] public string ArtifactId { get; set; } = "";
    [ProtoMember(2)] public string? EntryClass { get; set; }
    [ProtoMember(3)] public List<string> Arguments { get; set; } = [];
    [ProtoMember(4)] public int Parallelism { get; set; }
}

[ProtoContract]
public sealed class ExecutionAttemptRequest
{
    [ProtoMember(1)] public Guid ExecutionAttemptId { get; set; }
}

[ProtoContract]
public sealed class ReleasePartitionsRequest
{
    [ProtoMember(1)] public Guid JobId { get; set; }
    [ProtoMember(2)] public int Attempt { get; set; }
}

[ProtoContract]
public sealed class FreeSlotRequest
{
    [ProtoMember(1)] public Guid AllocationId { get; set; }
}

/// <summary>A job ended: application-mode processes that only run TaskManagers learn their program's outcome from it.</summary>
[ProtoContract]
public sealed class JobEndedMessage
{
    [ProtoMember(1)] public Guid JobId { get; set; }
    [ProtoMember(2)] public int Status { get; set; }
    [ProtoMember(3)] public long NetRuntimeMs { get; set; }
    [ProtoMember(4)] public Dictionary<string, long>? Accumulators { get; set; }
    [ProtoMember(5)] public FailureMessage? Failure { get; set; }
}
