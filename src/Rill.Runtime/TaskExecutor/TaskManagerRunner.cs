using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rill.Graph;
using Rill.Logging;
using Rill.Network;
using Rill.Network.Remote;
using Rill.Runtime.HighAvailability;
using Rill.Runtime.Messages;
using Rill.Runtime.ResourceManager;
using Rill.Runtime.Rpc;
using Rill.Tasks;

namespace Rill.Runtime.TaskExecutor;

/// <summary>
/// A TaskManager process (Flink's TaskManagerRunner): the TaskExecutor with its RPC endpoint and data server. It finds
/// the JobManager leader, registers, and keeps a connection open; when that connection ends, the heartbeats stop or a
/// new leader appears, it drops its work and registers with whoever leads now.
/// </summary>
public sealed class TaskManagerRunner : IAsyncDisposable
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<TaskManagerRunner>();
    private readonly TaskManagerConfiguration _configuration;
    private readonly ILeaderRetrieval _leaderRetrieval;
    private readonly Func<Guid, ProgramReference?, Task<JobGraph>> _resolveJobGraph;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<JobResult>> _jobResults = new();
    private PartitionRequestServer? _dataServer;
    private RpcServer? _rpcServer;
    private Task? _connectionLoop;
    private volatile RemoteResourceManagerGateway? _leader;
    private volatile bool _registered;
    private string? _lastFailure;

    /// <param name="resolveJobGraph">
    /// Rebuilds a job's graph from its program (application mode: the graph this very process built; session mode: the
    /// uploaded artifact, planned). Never received over the wire.
    /// </param>
    public TaskManagerRunner(TaskManagerConfiguration configuration, ILeaderRetrieval leaderRetrieval, Func<Guid, ProgramReference?, Task<JobGraph>> resolveJobGraph)
    {
        _configuration = configuration;
        _leaderRetrieval = leaderRetrieval;
        _resolveJobGraph = resolveJobGraph;
    }

    public TaskExecutor TaskExecutor { get; private set; } = null!;

    internal RpcChannels Channels { get; } = new();

    internal RemoteResourceManagerGateway? CurrentLeader => _leader;

    /// <summary>Registered with a ResourceManager now (what the TaskManager's readiness probe reports); any thread.</summary>
    public bool IsRegistered => _registered;

    public string RpcAddress => _rpcServer?.Address ?? throw new InvalidOperationException("Not started.");

    public IPEndPoint? DataAddress { get; private set; }

    /// <summary>Bytes this TaskManager's data server sent to other TaskManagers.</summary>
    public long DataBytesSent => _dataServer?.BytesSent ?? 0;

    /// <summary>Completes when this TaskManager is registered with a leader (again); for tests and logs.</summary>
    public event Action<LeaderAddress>? Registered;

    public async Task StartAsync(CancellationToken cancellation = default)
    {
        var partitions = new ResultPartitionManager(_configuration.Network);
        _dataServer = new PartitionRequestServer(partitions, _configuration.BindAddress, _configuration.DataPort);
        _dataServer.Start();
        DataAddress = new IPEndPoint(_configuration.EffectiveAdvertisedAddress, _dataServer.EndPoint.Port);
        var dataServer = _dataServer;
        TaskExecutor = new TaskExecutor(_configuration.TaskManagerId, _configuration.NumberOfSlots, null, partitions, SystemProcessingTimeService.Instance, DataAddress,
            () => new TaskManagerMetrics(dataServer.BytesSent, dataServer.MaxInFlightBytesPerChannel, (long)dataServer.MaxInitialCredit * _configuration.Network.SegmentSize));
        var service = new TaskExecutorService(this);
        _rpcServer = await RpcServer.StartAsync(_configuration.BindAddress, _configuration.RpcPort, FormatHost(_configuration.EffectiveAdvertisedAddress),
            services => services.AddSingleton(service),
            app => app.MapGrpcService<TaskExecutorService>(), cancellation).ConfigureAwait(false);
        _connectionLoop = Task.Run(() => StayConnectedAsync(_stop.Token));
    }

    internal static string FormatHost(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    internal Task<JobGraph> ResolveJobGraphAsync(Guid jobId, ProgramReference? program) => _resolveJobGraph(jobId, program);

    /// <summary>Completes with the job's outcome once the JobManager reports its end to this TaskManager.</summary>
    public Task<JobResult> WaitForJobEndAsync(Guid jobId) => _jobResults.GetOrAdd(jobId, _ => NewResult()).Task;

    /// <summary>Raised when the JobManager reports a job's end: session TaskManagers then unload its program.</summary>
    public event Action<JobResult>? JobEnded;

    internal void OnJobEnded(JobResult result)
    {
        _jobResults.GetOrAdd(result.JobId, _ => NewResult()).TrySetResult(result);
        JobEnded?.Invoke(result);
    }

    private static TaskCompletionSource<JobResult> NewResult() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task StayConnectedAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            LeaderAddress? leader = null;
            try
            {
                leader = await _leaderRetrieval.GetLeaderAsync(stop).ConfigureAwait(false);
                if (leader is null)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), stop).ConfigureAwait(false);
                    continue;
                }

                await RunRegistrationAsync(leader, stop).ConfigureAwait(false);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Expected ends (lost connection, new leader, silence) are one line; anything else gets its stack trace.
                var expected = e is IOException or TimeoutException or FencingTokenException or InvalidOperationException or Grpc.Core.RpcException;
                var reason = e is Grpc.Core.RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;
                var address = leader?.RpcAddress ?? "?";
                var failure = $"{address} {reason}";
                if (failure != _lastFailure)
                {
                    // A dead leader stays recorded until its lease expires: say it once, not on every retry.
                    Logger.Log(expected ? LogLevel.Warning : LogLevel.Error, e, "TaskManager {TaskManagerId}: connection to the JobManager at {JobManagerAddress} ended: {Reason}",
                        _configuration.TaskManagerId, address, reason);
                    _lastFailure = failure;
                }
            }

            _leader = null;
            await TaskExecutor.DisconnectResourceManagerAsync(new IOException("The connection to the JobManager ended.")).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(500), stop).ConfigureAwait(false);
        }
    }

    /// <summary>Registers with one leader and returns when that relationship ends.</summary>
    private async Task RunRegistrationAsync(LeaderAddress leader, CancellationToken stop)
    {
        var resourceManager = new RemoteResourceManagerGateway(leader.RpcAddress, Channels, leader.FencingToken, RpcAddress, DataAddress);
        _leader = resourceManager;
        await TaskExecutor.ConnectToResourceManagerAsync(resourceManager).ConfigureAwait(false);
        _lastFailure = null;
        Registered?.Invoke(leader);
        Logger.LogInformation("TaskManager {TaskManagerId}: registered with the JobManager at {JobManagerAddress} (term {FencingToken}).",
            _configuration.TaskManagerId, leader.RpcAddress, leader.FencingToken);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var lastHeartbeat = Environment.TickCount64;
        string? endReason = null;
        var watcher = WatchLeaderAsync(leader, session, () => Environment.TickCount64 - Volatile.Read(ref lastHeartbeat), reason => endReason = reason);
        _registered = true;
        try
        {
            await foreach (var _ in resourceManager.ConnectAsync(TaskExecutor.TaskManagerId, session.Token).WithCancellation(session.Token).ConfigureAwait(false))
            {
                Volatile.Write(ref lastHeartbeat, Environment.TickCount64);
            }

            throw new IOException("The JobManager closed the connection.");
        }
        catch (Exception e) when (session.IsCancellationRequested && !stop.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException)
        {
            throw new IOException(endReason ?? "The session with the JobManager ended.", e);
        }
        finally
        {
            _registered = false;
            await session.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends the session when the heartbeats stop (a frozen JobManager keeps its connection open but sends nothing) or
    /// leader retrieval names another leader or term.
    /// </summary>
    private async Task WatchLeaderAsync(LeaderAddress current, CancellationTokenSource session, Func<long> millisSinceHeartbeat, Action<string> setReason)
    {
        try
        {
            var nextRetrieval = Environment.TickCount64;
            while (!session.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), session.Token).ConfigureAwait(false);
                if (millisSinceHeartbeat() > _configuration.HeartbeatTimeout.TotalMilliseconds)
                {
                    setReason($"No heartbeat from the JobManager for {_configuration.HeartbeatTimeout.TotalSeconds:0.#} s.");
                    await session.CancelAsync().ConfigureAwait(false);
                    return;
                }

                if (Environment.TickCount64 < nextRetrieval)
                {
                    continue;
                }

                nextRetrieval = Environment.TickCount64 + 1000;
                var now = await _leaderRetrieval.GetLeaderAsync(session.Token).ConfigureAwait(false);
                if (now is not null && now != current)
                {
                    setReason($"A new JobManager leader was elected (term {now.FencingToken}).");
                    await session.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the session ended
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_connectionLoop is not null)
        {
            try
            {
                await _connectionLoop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (TaskExecutor is not null)
        {
            await TaskExecutor.DisposeAsync().ConfigureAwait(false);
        }

        if (_rpcServer is not null)
        {
            await _rpcServer.DisposeAsync().ConfigureAwait(false);
        }

        if (_dataServer is not null)
        {
            await _dataServer.DisposeAsync().ConfigureAwait(false);
        }

        Channels.Dispose();
        _stop.Dispose();
    }
}
