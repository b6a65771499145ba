using System.Net;
using ProtoBuf.Grpc.Client;
using Rill.Runtime.JobMaster;
using Rill.Runtime.Rpc;
using Rill.Runtime.Rpc.Contracts;
using Rill.Runtime.TaskExecutor;

namespace Rill.Runtime.ResourceManager;

/// <summary>The ResourceManager of the JobManager leader, as a TaskManager sees it.</summary>
internal sealed class RemoteResourceManagerGateway : IResourceManagerGateway
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private readonly IResourceManagerService _service;
    private readonly string _ownRpcAddress;
    private readonly IPEndPoint? _ownDataAddress;
    private readonly string _target;

    public RemoteResourceManagerGateway(string rpcAddress, RpcChannels channels, long fencingToken, string ownRpcAddress, IPEndPoint? ownDataAddress)
    {
        RpcAddress = rpcAddress;
        FencingToken = fencingToken;
        _service = channels.Get(rpcAddress).CreateGrpcService<IResourceManagerService>();
        _ownRpcAddress = ownRpcAddress;
        _ownDataAddress = ownDataAddress;
        _target = $"ResourceManager ({rpcAddress})";
    }

    public string RpcAddress { get; }

    /// <summary>The leadership term this gateway talks to; calls from that JobManager must carry it.</summary>
    public long FencingToken { get; }

    private ProtoBuf.Grpc.CallContext Context(CancellationToken cancellation = default) => FencingTokens.Outgoing(FencingToken, CallTimeout, cancellation);

    public Task RegisterTaskExecutorAsync(ITaskExecutorGateway taskExecutor, int numberOfSlots) =>
        RpcCall.InvokeAsync(_target, () => _service.RegisterTaskExecutorAsync(new RegisterTaskExecutorRequest
        {
            TaskManagerId = taskExecutor.TaskManagerId,
            RpcAddress = _ownRpcAddress,
            DataHost = _ownDataAddress?.Address.ToString(),
            DataPort = _ownDataAddress?.Port ?? 0,
            NumberOfSlots = numberOfSlots,
        }, Context()));

    public Task NotifySlotFreedAsync(string taskManagerId, int slotIndex) =>
        RpcCall.InvokeAsync(_target, () => _service.NotifySlotFreedAsync(new SlotFreedRequest { TaskManagerId = taskManagerId, SlotIndex = slotIndex }, Context()));

    public Task RequestLeaveAsync(string taskManagerId) =>
        RpcCall.InvokeAsync(_target, () => _service.RequestLeaveAsync(new ConnectRequest { TaskManagerId = taskManagerId }, Context()));

    /// <summary>Heartbeats from the ResourceManager while the connection lives; ends (or throws) when it is lost.</summary>
    public IAsyncEnumerable<HeartbeatSignal> ConnectAsync(string taskManagerId, CancellationToken cancellation) =>
        _service.ConnectAsync(new ConnectRequest { TaskManagerId = taskManagerId }, FencingTokens.Outgoing(FencingToken, timeout: null, cancellation));

    public Task DeclareResourceRequirementsAsync(ResourceRequirements requirements, IJobMasterGateway jobMaster) =>
        throw new NotSupportedException("Only JobMasters, which live beside the ResourceManager, declare resource requirements.");

    public Task<IReadOnlyList<TaskManagerInfo>> RequestTaskManagersAsync() =>
        throw new NotSupportedException("TaskManagers do not list TaskManagers; clients use the JobManager's REST API.");
}
