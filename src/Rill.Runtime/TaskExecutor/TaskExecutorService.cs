using ProtoBuf.Grpc;
using Rill.Runtime.JobMaster;
using Rill.Runtime.Messages;
using Rill.Runtime.Rpc;
using Rill.Runtime.Rpc.Contracts;

namespace Rill.Runtime.TaskExecutor;

/// <summary>A TaskManager's gRPC endpoint: only the JobManager leader it is registered with may command it.</summary>
internal sealed class TaskExecutorService(TaskManagerRunner runner) : ITaskExecutorService
{
    private TaskExecutor TaskExecutor => runner.TaskExecutor;

    private void CheckToken(CallContext context) => FencingTokens.Check(context, runner.CurrentLeader?.FencingToken, $"TaskManager {TaskExecutor.TaskManagerId}");

    public async ValueTask<Ack> RequestSlotAsync(RequestSlotRequest request, CallContext context = default)
    {
        CheckToken(context);
        if (request.SlotIndex < 0 || request.SlotIndex >= TaskExecutor.NumberOfSlots)
        {
            throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.InvalidArgument, $"No slot {request.SlotIndex} on {TaskExecutor.TaskManagerId}."));
        }

        var leader = runner.CurrentLeader ?? throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "This TaskManager is between JobManagers."));
        var jobMaster = new RemoteJobMasterGateway(request.JobId, request.JobMasterAddress, runner.Channels, leader.FencingToken);
        await TaskExecutor.RequestSlotAsync(new SlotId(TaskExecutor.TaskManagerId, request.SlotIndex), request.JobId, request.AllocationId, jobMaster).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> SubmitTaskAsync(SubmitTaskRequest request, CallContext context = default)
    {
        CheckToken(context);
        var job = await runner.ResolveJobGraphAsync(request.Deployment.JobId, request.Program?.ToReference()).ConfigureAwait(false);
        // Planning may outlast the caller's deadline: by then the JobMaster counts this deployment as failed and will not
        // track it, so starting it would leave a task nobody cancels.
        context.CancellationToken.ThrowIfCancellationRequested();
        await TaskExecutor.SubmitTaskAsync(request.Deployment.ToDescriptor(job), request.AllocationId).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> CancelTaskAsync(ExecutionAttemptRequest request, CallContext context = default)
    {
        CheckToken(context);
        await TaskExecutor.CancelTaskAsync(request.ExecutionAttemptId).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> SendOperatorEventAsync(OperatorEventMessage request, CallContext context = default)
    {
        CheckToken(context);
        var operatorEvent = OperatorEventSerializer.Deserialize(request.Payload, TypeResolver.Resolve);
        await TaskExecutor.SendOperatorEventAsync(request.ExecutionAttemptId, request.Sequence, request.OperatorId, operatorEvent).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> TriggerCheckpointAsync(CheckpointTriggerMessage request, CallContext context = default)
    {
        CheckToken(context);
        var barrier = new Checkpointing.CheckpointBarrier(request.CheckpointId, request.Timestamp, (Checkpointing.CheckpointKind)request.Kind, request.Location);
        await TaskExecutor.TriggerCheckpointAsync(request.ExecutionAttemptId, request.Sequence, barrier).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> NotifyCheckpointCompleteAsync(CheckpointNotificationMessage request, CallContext context = default)
    {
        CheckToken(context);
        await TaskExecutor.NotifyCheckpointCompleteAsync(request.ExecutionAttemptId, request.CheckpointId).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> NotifyCheckpointAbortedAsync(CheckpointNotificationMessage request, CallContext context = default)
    {
        CheckToken(context);
        await TaskExecutor.NotifyCheckpointAbortedAsync(request.ExecutionAttemptId, request.CheckpointId).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> ReleasePartitionsAsync(ReleasePartitionsRequest request, CallContext context = default)
    {
        CheckToken(context);
        await TaskExecutor.ReleasePartitionsAsync(request.JobId, request.Attempt).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<HeartbeatResponse> HeartbeatAsync(Ack request, CallContext context = default)
    {
        CheckToken(context);
        var metrics = await TaskExecutor.HeartbeatAsync().ConfigureAwait(false);
        return new HeartbeatResponse
        {
            DataBytesSent = metrics?.DataBytesSent ?? 0,
            MaxInFlightBytesPerChannel = metrics?.MaxInFlightBytesPerChannel ?? 0,
            MaxCreditBytesPerChannel = metrics?.MaxCreditBytesPerChannel ?? 0,
        };
    }

    public async ValueTask<Ack> FreeSlotAsync(FreeSlotRequest request, CallContext context = default)
    {
        CheckToken(context);
        await TaskExecutor.FreeSlotAsync(request.AllocationId).ConfigureAwait(false);
        return Ack.Instance;
    }

    public ValueTask<Ack> NotifyJobEndedAsync(JobEndedMessage request, CallContext context = default)
    {
        CheckToken(context);
        runner.OnJobEnded(request.ToResult());
        return ValueTask.FromResult(Ack.Instance);
    }
}
