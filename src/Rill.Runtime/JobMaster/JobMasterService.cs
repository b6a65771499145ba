using Grpc.Core;
using ProtoBuf.Grpc;
using Rill.Runtime.Messages;
using Rill.Runtime.ResourceManager;
using Rill.Runtime.Rpc;
using Rill.Runtime.Rpc.Contracts;
using Rill.Runtime.TaskExecutor;

namespace Rill.Runtime.JobMaster;

/// <summary>The gRPC endpoint of every JobMaster in this JobManager: routes TaskManagers' calls to the job they name.</summary>
internal sealed class JobMasterService(Dispatcher.Dispatcher dispatcher, ResourceManager.ResourceManager resourceManager, JobManagerRpcContext rpc) : IJobMasterService
{
    public async ValueTask<OfferSlotsResponse> OfferSlotsAsync(OfferSlotsRequest request, CallContext context = default)
    {
        rpc.CheckCall(context, "the JobMaster");
        var jobMaster = await FindAsync(request.JobId).ConfigureAwait(false);
        var taskExecutor = await resourceManager.TryGetTaskExecutorAsync(request.TaskManagerId).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"TaskManager {request.TaskManagerId} is not registered."));
        var offers = request.Offers.Select(o => new SlotOffer(o.AllocationId, new SlotId(request.TaskManagerId, o.SlotIndex))).ToList();
        var accepted = await jobMaster.OfferSlotsAsync(taskExecutor, offers).ConfigureAwait(false);
        return new OfferSlotsResponse { AcceptedAllocationIds = accepted.Select(o => o.AllocationId).ToList() };
    }

    public async ValueTask<Ack> UpdateTaskExecutionStateAsync(TaskExecutionStateMessage request, CallContext context = default)
    {
        rpc.CheckCall(context, "the JobMaster");
        await (await FindAsync(request.JobId).ConfigureAwait(false)).UpdateTaskExecutionStateAsync(request.ToState()).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> SendOperatorEventToCoordinatorAsync(OperatorEventMessage request, CallContext context = default)
    {
        rpc.CheckCall(context, "the JobMaster");
        var operatorEvent = OperatorEventSerializer.Deserialize(request.Payload, TypeResolver.Resolve);
        await (await FindAsync(request.JobId).ConfigureAwait(false))
            .SendOperatorEventToCoordinatorAsync(request.ExecutionAttemptId, request.OperatorId, operatorEvent).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> AcknowledgeCheckpointAsync(CheckpointAcknowledgeMessage request, CallContext context = default)
    {
        rpc.CheckCall(context, "the JobMaster");
        var state = System.Text.Json.JsonSerializer.Deserialize<Checkpointing.TaskStateSnapshot>(request.StateJson)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "Empty checkpoint acknowledgement."));
        await (await FindAsync(request.JobId).ConfigureAwait(false)).AcknowledgeCheckpointAsync(request.ExecutionAttemptId, request.CheckpointId, state).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> DeclineCheckpointAsync(CheckpointDeclineMessage request, CallContext context = default)
    {
        rpc.CheckCall(context, "the JobMaster");
        await (await FindAsync(request.JobId).ConfigureAwait(false)).DeclineCheckpointAsync(request.ExecutionAttemptId, request.CheckpointId, request.Reason).ConfigureAwait(false);
        return Ack.Instance;
    }

    private async Task<JobMaster> FindAsync(Guid jobId) =>
        await dispatcher.TryGetJobMasterAsync(jobId).ConfigureAwait(false)
        ?? throw new RpcException(new Status(StatusCode.NotFound, $"No running JobMaster for job {JobIds.Format(jobId)}."));
}
