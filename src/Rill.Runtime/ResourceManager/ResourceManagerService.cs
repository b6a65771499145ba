using System.Net;
using System.Runtime.CompilerServices;
using Grpc.Core;
using ProtoBuf.Grpc;
using Rill.Runtime.Rpc;
using Rill.Runtime.Rpc.Contracts;
using Rill.Runtime.TaskExecutor;

namespace Rill.Runtime.ResourceManager;

/// <summary>The ResourceManager's gRPC endpoint: TaskManagers in other processes register here and keep a connection open.</summary>
internal sealed class ResourceManagerService(ResourceManager resourceManager, JobManagerRpcContext rpc) : IResourceManagerService
{
    public async ValueTask<Ack> RegisterTaskExecutorAsync(RegisterTaskExecutorRequest request, CallContext context = default)
    {
        rpc.CheckCall(context, "the ResourceManager");
        if (string.IsNullOrWhiteSpace(request.TaskManagerId) || request.NumberOfSlots < 0 || !Uri.TryCreate(request.RpcAddress, UriKind.Absolute, out _))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A registration needs a TaskManager id, an RPC address and a slot count ≥ 0."));
        }

        var dataAddress = request.DataHost is null ? null : new IPEndPoint(IPAddress.Parse(request.DataHost), request.DataPort);
        var gateway = new RemoteTaskExecutorGateway(request.TaskManagerId, request.RpcAddress, dataAddress, rpc.Channels, rpc.FencingToken, rpc.Address,
            jobId => rpc.Programs.GetValueOrDefault(jobId));
        await resourceManager.RegisterTaskExecutorAsync(gateway, request.NumberOfSlots).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> NotifySlotFreedAsync(SlotFreedRequest request, CallContext context = default)
    {
        rpc.CheckCall(context, "the ResourceManager");
        await resourceManager.NotifySlotFreedAsync(request.TaskManagerId, request.SlotIndex).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async ValueTask<Ack> RequestLeaveAsync(ConnectRequest request, CallContext context = default)
    {
        rpc.CheckCall(context, "the ResourceManager");
        await resourceManager.RequestLeaveAsync(request.TaskManagerId).ConfigureAwait(false);
        return Ack.Instance;
    }

    public async IAsyncEnumerable<HeartbeatSignal> ConnectAsync(ConnectRequest request, CallContext context = default)
    {
        rpc.CheckCall(context, "the ResourceManager");
        var registration = await resourceManager.TryGetTaskExecutorAsync(request.TaskManagerId).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"TaskManager {request.TaskManagerId} is not registered."));
        // The stream ends when the TaskManager goes (its call is aborted) or when this JobManager stops: an open stream
        // would otherwise hold the server's graceful shutdown for its whole timeout.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, rpc.StoppingToken);
        var cancellation = linked.Token;
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                yield return new HeartbeatSignal { SentAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
                if (!await DelayAsync(rpc.HeartbeatInterval, cancellation).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        finally
        {
            if (!rpc.Stopping)
            {
                // The TaskManager's end of the connection closed: its process died or it left. Either way its slots are
                // gone now; waiting for the heartbeat timeout would only stall the job.
                _ = resourceManager.ReportTaskManagerLostAsync(registration,
                    new IOException($"Connection lost to TaskManager {request.TaskManagerId}: its control connection closed."));
            }
        }
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellation)
    {
        try
        {
            await Task.Delay(delay, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>What the JobManager's RPC endpoints share: its address, its leadership term and its channels to TaskManagers.</summary>
internal sealed class JobManagerRpcContext(RpcChannels channels, long fencingToken, TimeSpan heartbeatInterval)
{
    public RpcChannels Channels { get; } = channels;

    public long FencingToken { get; } = fencingToken;

    public TimeSpan HeartbeatInterval { get; } = heartbeatInterval;

    public string Address { get; set; } = "";

    /// <summary>Session-mode jobs' programs, which TaskManagers need to plan the job before running its subtasks.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<Guid, Messages.ProgramReference> Programs { get; } = new();

    private readonly CancellationTokenSource _stopping = new();

    public bool Stopping => _stopping.IsCancellationRequested;

    public CancellationToken StoppingToken => _stopping.Token;

    public void Stop() => _stopping.Cancel();

    /// <summary>Refuses calls of another term, and every call once this JobManager stops (its components are going away).</summary>
    public void CheckCall(CallContext context, string receiver)
    {
        if (Stopping)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"{receiver} is stopping (term {FencingToken})."));
        }

        FencingTokens.Check(context, FencingToken, receiver);
    }
}
