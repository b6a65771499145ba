using ProtoBuf.Grpc.Client;
using Rill.Runtime.Messages;
using Rill.Runtime.Rpc;
using Rill.Runtime.Rpc.Contracts;
using Rill.Runtime.TaskExecutor;
using Rill.Sources;

namespace Rill.Runtime.JobMaster;

/// <summary>
/// A job's JobMaster in the JobManager process, as a TaskManager sees it. TaskManagers only offer slots, report task
/// states and forward operator events; the JobManager's own callers use the in-process JobMaster.
/// </summary>
internal sealed class RemoteJobMasterGateway : IJobMasterGateway
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private readonly IJobMasterService _service;
    private readonly long _fencingToken;
    private readonly string _target;

    public RemoteJobMasterGateway(Guid jobId, string rpcAddress, RpcChannels channels, long fencingToken)
    {
        JobId = jobId;
        _service = channels.Get(rpcAddress).CreateGrpcService<IJobMasterService>();
        _fencingToken = fencingToken;
        _target = $"JobMaster of job {JobIds.Format(jobId)} ({rpcAddress})";
    }

    public Guid JobId { get; }

    private ProtoBuf.Grpc.CallContext Context() => FencingTokens.Outgoing(_fencingToken, CallTimeout);

    public async Task<IReadOnlyList<SlotOffer>> OfferSlotsAsync(ITaskExecutorGateway taskExecutor, IReadOnlyList<SlotOffer> offers)
    {
        var response = await RpcCall.InvokeAsync(_target, () => _service.OfferSlotsAsync(new OfferSlotsRequest
        {
            JobId = JobId,
            TaskManagerId = taskExecutor.TaskManagerId,
            Offers = offers.Select(o => new SlotOfferMessage { AllocationId = o.AllocationId, SlotIndex = o.Slot.SlotIndex }).ToList(),
        }, Context())).ConfigureAwait(false);
        var accepted = response.AcceptedAllocationIds.ToHashSet();
        return offers.Where(o => accepted.Contains(o.AllocationId)).ToList();
    }

    public Task UpdateTaskExecutionStateAsync(TaskExecutionState state) =>
        RpcCall.InvokeAsync(_target, () => _service.UpdateTaskExecutionStateAsync(state.ToMessage(JobId), Context()));

    public Task SendOperatorEventToCoordinatorAsync(Guid executionAttemptId, string operatorId, OperatorEvent operatorEvent) =>
        RpcCall.InvokeAsync(_target, () => _service.SendOperatorEventToCoordinatorAsync(new OperatorEventMessage
        {
            JobId = JobId,
            ExecutionAttemptId = executionAttemptId,
            OperatorId = operatorId,
            Payload = OperatorEventSerializer.Serialize(operatorEvent),
        }, Context()));

    public Task AcknowledgeCheckpointAsync(Guid executionAttemptId, long checkpointId, Checkpointing.TaskStateSnapshot state) =>
        RpcCall.InvokeAsync(_target, () => _service.AcknowledgeCheckpointAsync(new CheckpointAcknowledgeMessage
        {
            JobId = JobId,
            ExecutionAttemptId = executionAttemptId,
            CheckpointId = checkpointId,
            StateJson = System.Text.Json.JsonSerializer.Serialize(state),
        }, Context()));

    public Task DeclineCheckpointAsync(Guid executionAttemptId, long checkpointId, string reason) =>
        RpcCall.InvokeAsync(_target, () => _service.DeclineCheckpointAsync(new CheckpointDeclineMessage
        {
            JobId = JobId,
            ExecutionAttemptId = executionAttemptId,
            CheckpointId = checkpointId,
            Reason = reason,
        }, Context()));

    public Task<string> TriggerSavepointAsync(string? targetDirectory, bool terminate) => throw NotForTaskManagers();

    public Task ReleaseTaskManagerAsync(string taskManagerId) => throw NotForTaskManagers();

    public Task<JobDetails> RequestJobDetailsAsync() => throw NotForTaskManagers();

    public Task DisconnectTaskManagerAsync(string taskManagerId, Exception cause) => throw NotForTaskManagers();

    public Task CancelAsync() => throw NotForTaskManagers();

    private static NotSupportedException NotForTaskManagers() =>
        new("TaskManagers do not query or cancel jobs; clients use the JobManager's REST API.");
}
