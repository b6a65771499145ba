using System.Net;
using ProtoBuf.Grpc.Client;
using Rill.Runtime.JobMaster;
using Rill.Runtime.Messages;
using Rill.Runtime.Rpc;
using Rill.Runtime.Rpc.Contracts;
using Rill.Sources;
using Rill.Tasks;

namespace Rill.Runtime.TaskExecutor;

/// <summary>
/// A TaskManager in another process, as the JobManager's components see it: each call is a gRPC call carrying the
/// JobManager's fencing token.
/// </summary>
internal sealed class RemoteTaskExecutorGateway : ITaskExecutorGateway
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private readonly ITaskExecutorService _service;
    private readonly long _fencingToken;
    private readonly string _jobManagerRpcAddress;
    private readonly string _target;

    private readonly Func<Guid, ProgramReference?> _programOf;

    public RemoteTaskExecutorGateway(string taskManagerId, string rpcAddress, IPEndPoint? dataAddress, RpcChannels channels, long fencingToken, string jobManagerRpcAddress,
        Func<Guid, ProgramReference?> programOf)
    {
        _programOf = programOf;
        TaskManagerId = taskManagerId;
        RpcAddress = rpcAddress;
        DataAddress = dataAddress;
        _service = channels.Get(rpcAddress).CreateGrpcService<ITaskExecutorService>();
        _fencingToken = fencingToken;
        _jobManagerRpcAddress = jobManagerRpcAddress;
        _target = $"TaskManager {taskManagerId} ({rpcAddress})";
    }

    public string TaskManagerId { get; }

    public string RpcAddress { get; }

    public IPEndPoint? DataAddress { get; }

    private ProtoBuf.Grpc.CallContext Context(TimeSpan? timeout = null) => FencingTokens.Outgoing(_fencingToken, timeout ?? CallTimeout);

    public Task RequestSlotAsync(SlotId slot, Guid jobId, Guid allocationId, IJobMasterGateway jobMaster) =>
        RpcCall.InvokeAsync(_target, () => _service.RequestSlotAsync(new RequestSlotRequest
        {
            SlotIndex = slot.SlotIndex,
            JobId = jobId,
            AllocationId = allocationId,
            JobMasterAddress = _jobManagerRpcAddress,
        }, Context()));

    public Task SubmitTaskAsync(TaskDeploymentDescriptor descriptor, Guid allocationId) =>
        RpcCall.InvokeAsync(_target, () => _service.SubmitTaskAsync(new SubmitTaskRequest
        {
            AllocationId = allocationId,
            Deployment = descriptor.ToMessage(),
            Program = _programOf(descriptor.Job.JobId)?.ToMessage(),
        }, Context()));

    public Task CancelTaskAsync(Guid executionAttemptId) =>
        RpcCall.InvokeAsync(_target, () => _service.CancelTaskAsync(new ExecutionAttemptRequest { ExecutionAttemptId = executionAttemptId }, Context()));

    public Task TriggerCheckpointAsync(Guid executionAttemptId, long sequence, Checkpointing.CheckpointBarrier barrier) =>
        RpcCall.InvokeAsync(_target, () => _service.TriggerCheckpointAsync(new CheckpointTriggerMessage
        {
            ExecutionAttemptId = executionAttemptId,
            Sequence = sequence,
            CheckpointId = barrier.CheckpointId,
            Timestamp = barrier.Timestamp,
            Kind = (int)barrier.Kind,
            Location = barrier.Location,
        }, Context()));

    public Task NotifyCheckpointCompleteAsync(Guid executionAttemptId, long checkpointId) =>
        RpcCall.InvokeAsync(_target, () => _service.NotifyCheckpointCompleteAsync(
            new CheckpointNotificationMessage { ExecutionAttemptId = executionAttemptId, CheckpointId = checkpointId }, Context()));

    public Task NotifyCheckpointAbortedAsync(Guid executionAttemptId, long checkpointId) =>
        RpcCall.InvokeAsync(_target, () => _service.NotifyCheckpointAbortedAsync(
            new CheckpointNotificationMessage { ExecutionAttemptId = executionAttemptId, CheckpointId = checkpointId }, Context()));

    public Task SendOperatorEventAsync(Guid executionAttemptId, long sequence, string operatorId, OperatorEvent operatorEvent) =>
        RpcCall.InvokeAsync(_target, () => _service.SendOperatorEventAsync(new OperatorEventMessage
        {
            ExecutionAttemptId = executionAttemptId,
            Sequence = sequence,
            OperatorId = operatorId,
            Payload = OperatorEventSerializer.Serialize(operatorEvent),
        }, Context()));

    public Task ReleasePartitionsAsync(Guid jobId, int attempt) =>
        RpcCall.InvokeAsync(_target, () => _service.ReleasePartitionsAsync(new ReleasePartitionsRequest { JobId = jobId, Attempt = attempt }, Context()));

    public async Task<TaskManagerMetrics?> HeartbeatAsync()
    {
        var response = await RpcCall.InvokeAsync(_target, () => _service.HeartbeatAsync(Ack.Instance, Context())).ConfigureAwait(false);
        return new TaskManagerMetrics(response.DataBytesSent, response.MaxInFlightBytesPerChannel, response.MaxCreditBytesPerChannel);
    }

    public Task FreeSlotAsync(Guid allocationId) =>
        RpcCall.InvokeAsync(_target, () => _service.FreeSlotAsync(new FreeSlotRequest { AllocationId = allocationId }, Context()));

    /// <summary>Tells the TaskManager's process how a job ended (application mode: its program returns with that outcome).</summary>
    public Task NotifyJobEndedAsync(JobResult result) =>
        RpcCall.InvokeAsync(_target, () => _service.NotifyJobEndedAsync(result.ToMessage(), Context(TimeSpan.FromSeconds(5))));
}
