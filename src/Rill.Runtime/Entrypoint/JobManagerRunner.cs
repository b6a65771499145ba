using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rill.Logging;
using Rill.Runtime.Dispatcher;
using Rill.Runtime.HighAvailability;
using Rill.Runtime.JobMaster;
using Rill.Runtime.Messages;
using Rill.Runtime.ResourceManager;
using Rill.Runtime.Rest;
using Rill.Runtime.Rpc;
using Rill.Runtime.TaskExecutor;

namespace Rill.Runtime.Entrypoint;

/// <summary>
/// The JobManager of one leadership term (Flink's DispatcherResourceManagerComponent): ResourceManager, Dispatcher with
/// its JobMasters, the gRPC endpoint TaskManagers talk to and the REST API clients talk to. A new term (after a
/// failover) gets a new instance with a new fencing token.
/// </summary>
public sealed class JobManagerRunner : IAsyncDisposable
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<JobManagerRunner>();
    private readonly JobManagerConfiguration _configuration;
    private readonly long _fencingToken;
    private readonly RpcChannels _channels = new();
    private JobManagerRpcContext? _rpc;
    private ResourceManager.ResourceManager? _resourceManager;
    private Dispatcher.Dispatcher? _dispatcher;
    private RpcServer? _rpcServer;
    private RestServer? _rest;

    private readonly IHighAvailabilityServices? _highAvailability;
    private SessionPrograms? _sessions;

    /// <param name="highAvailability">
    /// The HA services of the term <paramref name="fencingToken"/> belongs to: the Dispatcher then records session jobs in
    /// the job store and their outcomes in the result store, fenced by that token. Null without HA.
    /// </param>
    public JobManagerRunner(JobManagerConfiguration configuration, long fencingToken, IHighAvailabilityServices? highAvailability = null)
    {
        _configuration = configuration;
        _fencingToken = fencingToken;
        _highAvailability = highAvailability;
    }

    /// <summary>A term token for a JobManager without HA: random, so a restarted JobManager never accepts its predecessor's TaskManagers' calls.</summary>
    public static long NewStaticFencingToken() => Random.Shared.NextInt64(1, long.MaxValue);

    public IDispatcherGateway Dispatcher => _dispatcher ?? throw new InvalidOperationException("JobManager not started.");

    public IResourceManagerGateway ResourceManager => _resourceManager ?? throw new InvalidOperationException("JobManager not started.");

    public string RpcAddress => _rpcServer?.Address ?? throw new InvalidOperationException("JobManager not started.");

    public Uri RestAddress => _rest?.Address ?? throw new InvalidOperationException("JobManager not started.");

    /// <summary>
    /// The REST URL other machines use: the advertised address and the bound port (<see cref="RestAddress"/> names a
    /// wildcard bind as loopback, which is right only for this machine).
    /// </summary>
    public Uri AdvertisedRestAddress => new($"http://{TaskManagerRunner.FormatHost(_configuration.EffectiveAdvertisedAddress)}:{RestAddress.Port}/");

    public LeaderAddress LeaderAddress => new(RpcAddress, AdvertisedRestAddress.ToString(), _fencingToken);

    public async Task StartAsync(CancellationToken cancellation = default)
    {
        _rpc = new JobManagerRpcContext(_channels, _fencingToken, _configuration.HeartbeatInterval);
        _resourceManager = new ResourceManager.ResourceManager(_configuration.HeartbeatInterval, _configuration.HeartbeatTimeout);
        _dispatcher = new Dispatcher.Dispatcher(_resourceManager, _configuration.RestartStrategy, _configuration.TaskCancellationTimeout,
            _highAvailability is { } ha ? new Checkpoint.HighAvailabilityCompletedCheckpointStore(ha, _fencingToken) : null);
        var resourceManagerService = new ResourceManagerService(_resourceManager, _rpc);
        var jobMasterService = new JobMasterService(_dispatcher, _resourceManager, _rpc);
        _rpcServer = await RpcServer.StartAsync(_configuration.BindAddress, _configuration.RpcPort, TaskManagerRunner.FormatHost(_configuration.EffectiveAdvertisedAddress),
            services => services.AddSingleton(resourceManagerService).AddSingleton(jobMasterService),
            app =>
            {
                app.MapGrpcService<ResourceManagerService>();
                app.MapGrpcService<JobMasterService>();
            }, cancellation).ConfigureAwait(false);
        _rpc.Address = _rpcServer.Address;
        SessionPrograms? sessions = null;
        if (_configuration.ArtifactDirectory is { } artifactDirectory)
        {
            sessions = new SessionPrograms(new Artifacts.ArtifactStore(artifactDirectory), _dispatcher, _rpc.Programs)
            {
                MaxUploadBytes = _configuration.MaxUploadBytes,
                Persist = _highAvailability is { } services ? submission => services.PutJobAsync(_fencingToken, submission) : null,
                Unpersist = _highAvailability is { } store ? jobId => store.RemoveJobAsync(_fencingToken, jobId) : null,
                EndedUnderEarlierLeader = _highAvailability is { } results ? async jobId => await results.GetJobResultAsync(jobId).ConfigureAwait(false) is not null : null,
            };
        }

        _sessions = sessions;
        _dispatcher.JobTerminated += result =>
        {
            sessions?.OnJobTerminated(result);
            _ = NotifyJobEndedAsync(result);
            if (sessions is not null && _highAvailability is not null && !_rpc.Stopping && result.Status.IsGloballyTerminal())
            {
                // Only a real end leaves the job store: a job suspended by a stopping JobManager stays for the next leader.
                _ = RecordEndAsync(_highAvailability, result);
            }
        };
        _rest = new RestServer(_dispatcher, _resourceManager, new RestOptions(_configuration.RestPort, _configuration.BindAddress, _configuration.RestAuthToken),
            new Dictionary<string, object?>
            {
                ["rpc-address"] = _rpcServer.Address,
                ["fencing-token"] = _fencingToken,
            },
            sessions);
        await _rest.StartAsync(cancellation).ConfigureAwait(false);
        Logger.LogInformation("Rill JobManager: REST API at {RestAddress}, RPC at {RpcAddress} (term {FencingToken})", _rest.Address, _rpcServer.Address, _fencingToken);
    }

    private async Task RecordEndAsync(IHighAvailabilityServices services, JobResult result)
    {
        try
        {
            await services.PutJobResultAsync(_fencingToken, JobResultEntry.From(result)).ConfigureAwait(false);
            await services.RemoveJobAsync(_fencingToken, result.JobId).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FencingTokenException or StackExchange.Redis.RedisException or TimeoutException)
        {
            Logger.LogWarning(e, "JobManager (term {FencingToken}): could not record the end of job {JobId}: {Reason}", _fencingToken, JobIds.Format(result.JobId), e.Message);
        }
    }

    /// <summary>
    /// Resumes the session jobs of the job store (a new leader after a failover or restart): each is planned again from
    /// its artifact, under its own id, and starts from the beginning (no checkpoints yet).
    /// </summary>
    public async Task RecoverJobsAsync()
    {
        if (_highAvailability is null || _sessions is null)
        {
            return;
        }

        foreach (var stored in await _highAvailability.GetJobsAsync().ConfigureAwait(false))
        {
            if (stored.ArtifactId is null)
            {
                continue; // an application-mode job: its own processes resume it
            }

            try
            {
                // With checkpoints of its own the job resumes from those: the savepoint it once started from no longer
                // matters (and may be gone).
                var savepoint = _highAvailability is { } services && (await services.GetCheckpointPointersAsync(stored.JobId).ConfigureAwait(false)).Count > 0
                    ? null
                    : stored.SavepointRestore;
                await _sessions.ResumeAsync(stored, savepoint).ConfigureAwait(false);
                Logger.LogInformation("JobManager (term {FencingToken}): resumed job {JobId} ({JobName}) from the job store.", _fencingToken, JobIds.Format(stored.JobId), stored.JobName);
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or Artifacts.InvalidArtifactException
                or StackExchange.Redis.RedisException or TimeoutException or FencingTokenException or Checkpointing.CheckpointException)
            {
                Logger.LogError(e, "JobManager (term {FencingToken}): cannot resume job {JobId} ({JobName}): {Reason}", _fencingToken, JobIds.Format(stored.JobId), stored.JobName, e.Message);
            }
        }
    }

    /// <summary>Tells every registered TaskManager how a job ended (application mode: their programs return with it).</summary>
    public async Task NotifyJobEndedAsync(JobResult result)
    {
        var taskManagers = await _resourceManager!.GetTaskExecutorsAsync().ConfigureAwait(false);
        await Task.WhenAll(taskManagers.OfType<RemoteTaskExecutorGateway>().Select(async t =>
        {
            try
            {
                await t.NotifyJobEndedAsync(result).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException or FencingTokenException)
            {
                Logger.LogWarning(e, "JobManager: could not tell TaskManager {TaskManagerId} that job {JobId} ended: {Reason}", t.TaskManagerId, JobIds.Format(result.JobId), e.Message);
            }
        })).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_rpc is not null)
        {
            _rpc.Stop();
        }

        if (_rest is not null)
        {
            await _rest.DisposeAsync().ConfigureAwait(false);
        }

        if (_rpcServer is not null)
        {
            await _rpcServer.DisposeAsync().ConfigureAwait(false);
        }

        if (_dispatcher is not null)
        {
            await _dispatcher.DisposeAsync().ConfigureAwait(false);
        }

        if (_resourceManager is not null)
        {
            await _resourceManager.DisposeAsync().ConfigureAwait(false);
        }

        _channels.Dispose();
    }
}
