using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Rill.Runtime.Rpc.Contracts;

// The gRPC services of the control plane (code-first: the C# interfaces are the contract, protobuf-net.Grpc maps them
// onto Grpc.AspNetCore and Grpc.Net.Client). Every call carries the JobManager leader's fencing token in the
// "rill-fencing-token" header; see FencingTokens.

/// <summary>The JobManager's ResourceManager endpoint, called by TaskManagers.</summary>
[Service("rill.ResourceManager")]
public interface IResourceManagerService
{
    ValueTask<Ack> RegisterTaskExecutorAsync(RegisterTaskExecutorRequest request, CallContext context = default);

    ValueTask<Ack> NotifySlotFreedAsync(SlotFreedRequest request, CallContext context = default);

    ValueTask<Ack> RequestLeaveAsync(ConnectRequest request, CallContext context = default);

    /// <summary>
    /// A stream a TaskManager keeps open while registered. Its end is the fast failure signal in both directions: a
    /// killed process's connection closes at once, long before a heartbeat times out.
    /// </summary>
    IAsyncEnumerable<HeartbeatSignal> ConnectAsync(ConnectRequest request, CallContext context = default);
}

/// <summary>The JobManager's JobMaster endpoint (all jobs; each message names its job), called by TaskManagers.</summary>
[Service("rill.JobMaster")]
public interface IJobMasterService
{
    ValueTask<OfferSlotsResponse> OfferSlotsAsync(OfferSlotsRequest request, CallContext context = default);

    ValueTask<Ack> UpdateTaskExecutionStateAsync(TaskExecutionStateMessage request, CallContext context = default);

    ValueTask<Ack> SendOperatorEventToCoordinatorAsync(OperatorEventMessage request, CallContext context = default);

    ValueTask<Ack> AcknowledgeCheckpointAsync(CheckpointAcknowledgeMessage request, CallContext context = default);

    ValueTask<Ack> DeclineCheckpointAsync(CheckpointDeclineMessage request, CallContext context = default);
}

/// <summary>A TaskManager's endpoint, called by the ResourceManager and JobMasters.</summary>
[Service("rill.TaskExecutor")]
public interface ITaskExecutorService
{
    ValueTask<Ack> RequestSlotAsync(RequestSlotRequest request, CallContext context = default);

    ValueTask<Ack> SubmitTaskAsync(SubmitTaskRequest request, CallContext context = default);

    ValueTask<Ack> CancelTaskAsync(ExecutionAttemptRequest request, CallContext context = default);

    ValueTask<Ack> SendOperatorEventAsync(OperatorEventMessage request, CallContext context = default);

    ValueTask<Ack> TriggerCheckpointAsync(CheckpointTriggerMessage request, CallContext context = default);

    ValueTask<Ack> NotifyCheckpointCompleteAsync(CheckpointNotificationMessage request, CallContext context = default);

    ValueTask<Ack> NotifyCheckpointAbortedAsync(CheckpointNotificationMessage request, CallContext context = default);

    ValueTask<Ack> ReleasePartitionsAsync(ReleasePartitionsRequest request, CallContext context = default);

    ValueTask<HeartbeatResponse> HeartbeatAsync(Ack request, CallContext context = default);

    ValueTask<Ack> FreeSlotAsync(FreeSlotRequest request, CallContext context = default);

    ValueTask<Ack> NotifyJobEndedAsync(JobEndedMessage request, CallContext context = default);
}
