using Rill.Api;
using Rill.Graph;
using Rill.Network;
using Rill.Runtime.Dispatcher;
using Rill.Runtime.Messages;
using Rill.Runtime.Rest;
using Rill.Tasks;

namespace Rill.Runtime.MiniCluster;

/// <summary>
/// Flink's MiniCluster: the Dispatcher, the ResourceManager (with a JobMaster per job) and TaskManagers in one
/// process, talking through the same gateway interfaces the distributed runtime uses. TaskManagers here share
/// one in-memory shuffle, so every exchange stays in memory.
/// </summary>
public sealed class MiniCluster : IAsyncDisposable
{
    private readonly MiniClusterConfiguration _configuration;
    private readonly List<TaskExecutor.TaskExecutor> _taskExecutors = [];
    private readonly List<Network.Remote.PartitionRequestServer> _dataServers = [];
    private ResourceManager.ResourceManager? _resourceManager;
    private Dispatcher.Dispatcher? _dispatcher;
    private RestServer? _rest;

    public MiniCluster(MiniClusterConfiguration configuration) => _configuration = configuration;

    public IDispatcherGateway Dispatcher => _dispatcher ?? throw new InvalidOperationException("Mini cluster not started.");

    public ResourceManager.IResourceManagerGateway ResourceManager => _resourceManager ?? throw new InvalidOperationException("Mini cluster not started.");

    public IReadOnlyList<TaskExecutor.TaskExecutor> TaskExecutors => _taskExecutors;

    public ResultPartitionManager Partitions { get; private set; } = null!;

    /// <summary>Bytes sent over the TCP data plane by all TaskManagers (0 with the in-memory shuffle).</summary>
    public long DataPlaneBytesSent => _dataServers.Sum(s => s.BytesSent);

    /// <summary>The REST address when serving REST, e.g. http://127.0.0.1:8081.</summary>
    public Uri? RestAddress => _rest?.Address;

    public async Task StartAsync(CancellationToken cancellation = default)
    {
        Partitions = new ResultPartitionManager(_configuration.Network);
        _resourceManager = new ResourceManager.ResourceManager(_configuration.HeartbeatInterval, _configuration.HeartbeatTimeout);
        _dispatcher = new Dispatcher.Dispatcher(_resourceManager, _configuration.RestartStrategy, _configuration.TaskCancellationTimeout);
        for (var i = 0; i < _configuration.NumberOfTaskManagers; i++)
        {
            await AddTaskManagerAsync().ConfigureAwait(false);
        }

        if (_configuration.RestPort is { } port)
        {
            _rest = new RestServer(_dispatcher, _resourceManager, new RestOptions(port, _configuration.RestBindAddress, _configuration.RestAuthToken));
            await _rest.StartAsync(cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Starts one more TaskManager (a reactive job grows onto it); returns its index.</summary>
    public async Task<int> AddTaskManagerAsync()
    {
        var index = _taskExecutors.Count;
        var partitions = Partitions;
        System.Net.IPEndPoint? dataAddress = null;
        if (_configuration.ExchangeOverTcp)
        {
            partitions = new ResultPartitionManager(_configuration.Network);
            var server = new Network.Remote.PartitionRequestServer(partitions, System.Net.IPAddress.Loopback);
            server.Start();
            _dataServers.Add(server);
            dataAddress = server.EndPoint;
        }

        var taskExecutor = new TaskExecutor.TaskExecutor($"taskmanager-{index}", _configuration.SlotsPerTaskManager, _resourceManager, partitions,
            SystemProcessingTimeService.Instance, dataAddress);
        _taskExecutors.Add(taskExecutor);
        await taskExecutor.StartAsync().ConfigureAwait(false);
        return index;
    }

    /// <summary>A TaskManager leaves as on SIGTERM: its jobs give its slots back first. True when they did within the timeout.</summary>
    public Task<bool> LeaveTaskManagerAsync(int index, TimeSpan timeout) => _taskExecutors[index].LeaveAsync(timeout);

    /// <summary>
    /// Makes a TaskManager vanish as a killed process would: its calls fail, its tasks stop without a word and its data
    /// server closes every connection. For failover tests of the embedded cluster.
    /// </summary>
    public async Task KillTaskManagerAsync(int index)
    {
        _taskExecutors[index].Kill();
        if (_configuration.ExchangeOverTcp)
        {
            await _dataServers[index].DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Submits the job and waits for its end; throws <see cref="JobExecutionException"/> unless it finished.</summary>
    public async Task<JobExecutionResult> ExecuteAsync(JobGraph job, CancellationToken cancellation = default)
    {
        var jobId = await Dispatcher.SubmitJobAsync(job).ConfigureAwait(false);
        using var registration = cancellation.Register(() => _ = Dispatcher.CancelJobAsync(jobId));
        // The caller gets control back when it cancels; the job's own cancellation goes on in the cluster.
        var result = await Dispatcher.RequestJobResultAsync(jobId).WaitAsync(cancellation).ConfigureAwait(false);
        return result.Status switch
        {
            JobStatus.Finished => new JobExecutionResult(jobId, result.NetRuntime, result.Accumulators),
            JobStatus.Canceled => throw new JobExecutionException(jobId, $"Job '{job.JobName}' ({JobIds.Format(jobId)}) was canceled.", null),
            _ => throw new JobExecutionException(jobId,
                $"Job '{job.JobName}' ({JobIds.Format(jobId)}) failed: {result.Failure?.Message ?? "unknown cause"}",
                result.Failure?.InnerException ?? result.Failure),
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_rest is not null)
        {
            await _rest.DisposeAsync().ConfigureAwait(false);
        }

        if (_dispatcher is not null)
        {
            await _dispatcher.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var taskExecutor in _taskExecutors)
        {
            await taskExecutor.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var server in _dataServers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        if (_resourceManager is not null)
        {
            await _resourceManager.DisposeAsync().ConfigureAwait(false);
        }
    }
}
