using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Rill.Api;
using Rill.Executors;
using Rill.Graph;
using Rill.Logging;
using Rill.Runtime.HighAvailability;
using Rill.Runtime.Messages;
using Rill.Runtime.TaskExecutor;

namespace Rill.Runtime.Entrypoint;

/// <summary>
/// Flink as a library (application mode): every process runs the same program, builds the same job graph, and takes
/// a part in one cluster: a JobManager (with a TaskManager beside it) or a TaskManager. No code is shipped, because
/// every process already has it. The program's <c>Execute</c> returns in every process when the job ends.
/// </summary>
public sealed class ApplicationClusterExecutor(StreamExecutionEnvironment environment) : IPipelineExecutor
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<ApplicationClusterExecutor>();
    private readonly DeploymentOptions _options = environment.Deployment;

    // What this process's /health reports (--health-port): each part it runs adds itself once it exists.
    private readonly Observability.ProcessReadiness _readiness = new();

    /// <summary>
    /// The job's id in application mode: the same in every process (and after a JobManager failover), derived from the
    /// cluster id and job name, as Flink fixes the job id of an HA application.
    /// </summary>
    public static Guid ApplicationJobId(string clusterId, string jobName) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"rill-application/{clusterId}/{jobName}"))[..16]);

    public async Task<JobExecutionResult> ExecuteAsync(StreamGraph streamGraph, CancellationToken cancellation)
    {
        var job = JobGraphGenerator.Create(streamGraph, ApplicationJobId(_options.ClusterId, streamGraph.JobName));
        // Started first: /alive answers while the parts start, /health once they are ready.
        await using var health = await Observability.HealthServer.StartIfRequestedAsync(BindAddress, _options.HealthPort, _readiness, cancellation).ConfigureAwait(false);

        if (_options.Cluster is { } cluster)
        {
            return ToExecutionResult(job, await RunWithLeaderElectionAsync(job, cluster, cancellation).ConfigureAwait(false));
        }

        var result = _options.Role == "jobmanager"
            ? await RunJobManagerAsync(job, cancellation).ConfigureAwait(false)
            : await RunTaskManagerAsync(job, _options.JobManager!, cancellation).ConfigureAwait(false);
        return ToExecutionResult(job, result);
    }

    private async Task<JobResult> RunJobManagerAsync(JobGraph job, CancellationToken cancellation)
    {
        await using var jobManager = new JobManagerRunner(JobManagerConfiguration(), JobManagerRunner.NewStaticFencingToken());
        await jobManager.StartAsync(cancellation).ConfigureAwait(false);
        using var jobManagerReady = _readiness.Add("jobmanager", () => null);
        await using var taskManager = _options.Slots > 0 ? StartTaskManager(job, new RestLeaderRetrieval(jobManager.RestAddress, _options.AuthToken)) : null;
        if (taskManager is not null)
        {
            await taskManager.StartAsync(cancellation).ConfigureAwait(false);
        }

        var jobId = await jobManager.Dispatcher.SubmitJobAsync(job).ConfigureAwait(false);
        using var cancelJob = cancellation.Register(() => _ = jobManager.Dispatcher.CancelJobAsync(jobId));
        var result = await jobManager.Dispatcher.RequestJobResultAsync(jobId).ConfigureAwait(false);
        await jobManager.NotifyJobEndedAsync(result).ConfigureAwait(false);
        return result;
    }

    private async Task<JobResult> RunTaskManagerAsync(JobGraph job, Uri jobManager, CancellationToken cancellation)
    {
        using var retrieval = new RestLeaderRetrieval(jobManager, _options.AuthToken);
        await using var taskManager = StartTaskManager(job, retrieval);
        await taskManager.StartAsync(cancellation).ConfigureAwait(false);
        using var leaveOnSigterm = new TaskExecutor.TaskManagerLeaveOnSigterm(taskManager);
        Logger.LogInformation("Rill TaskManager {TaskManagerId}: {Slots} slots, joining the JobManager at {JobManagerUrl}", taskManager.TaskExecutor.TaskManagerId, _options.Slots, jobManager);
        return await taskManager.WaitForJobEndAsync(job.JobId).WaitAsync(cancellation).ConfigureAwait(false);
    }


    /// <summary>
    /// <c>--cluster redis://…</c>: every process runs a TaskManager and competes for leadership; the leader runs the
    /// JobManager, which submits the job (or, after a failover, resumes it from the job store). Every process returns
    /// the outcome the leader records in the job result store.
    /// </summary>
    private async Task<JobResult> RunWithLeaderElectionAsync(JobGraph job, string cluster, CancellationToken cancellation)
    {
        var started = DateTimeOffset.UtcNow;
        await using var services = await RedisHighAvailabilityServices.ConnectAsync(cluster, _options.ClusterId).ConfigureAwait(false);
        await using var taskManager = _options.Slots > 0 ? StartTaskManager(job, new HighAvailabilityLeaderRetrieval(services)) : null;
        if (taskManager is not null)
        {
            await taskManager.StartAsync(cancellation).ConfigureAwait(false);
        }

        var configuration = JobManagerConfiguration() with { RestPort = environment.RestPort ?? 0 };
        await using var contender = new JobManagerLeaderContender(services, configuration, SessionClusterEntrypoint.LeaderLease,
            (jobManager, token, termStop) => LeadAsync(services, jobManager, token, job, started, termStop));
        contender.Start();
        // A standby is as ready as a leader: it runs its TaskManager (if any) and is there for a failover.
        using var contending = _readiness.Add("leader election", () => null);
        Logger.LogInformation("Rill application process {ContenderId}: cluster '{ClusterId}' at {Cluster}, {Slots} slots.", contender.ContenderId, _options.ClusterId, cluster, _options.Slots);

        var pushed = taskManager?.WaitForJobEndAsync(job.JobId) ?? Task.Delay(Timeout.Infinite, cancellation).ContinueWith(_ => (JobResult)null!, TaskScheduler.Default);
        var result = await WaitForJobEndAsync(services, job, started, pushed, cancellation).ConfigureAwait(false);
        // The leader's own process learns the end as early as the others, while its term still records the result and
        // tells the TaskManagers: stepping down now would leave them a term they no longer accept.
        // (A failure of that work is reported when the contender steps down and awaits it.)
        var work = contender.CurrentTermWork;
        if (await Task.WhenAny(work, Task.Delay(LeaderWrapUpTimeout, cancellation)).ConfigureAwait(false) != work)
        {
            Logger.LogWarning("JobManager: the job ended, but recording it and telling the TaskManagers took longer than {Seconds} s; stepping down anyway.",
                LeaderWrapUpTimeout.TotalSeconds);
        }

        return result;
    }

    private static readonly TimeSpan LeaderWrapUpTimeout = TimeSpan.FromSeconds(10);

    private static async Task<JobResult> WaitForJobEndAsync(IHighAvailabilityServices services, JobGraph job, DateTimeOffset started, Task<JobResult> pushed,
        CancellationToken cancellation)
    {
        while (true)
        {
            // The leader tells its TaskManagers at once; the result store also reaches processes that were
            // disconnected at that moment, and the leader's own process.
            if (pushed.IsCompletedSuccessfully)
            {
                return pushed.Result;
            }

            if (await services.GetJobResultAsync(job.JobId).ConfigureAwait(false) is { } stored && stored.FinishedAt >= started)
            {
                return FromEntry(stored);
            }

            await Task.WhenAny(pushed, Task.Delay(TimeSpan.FromMilliseconds(500), cancellation)).ConfigureAwait(false);
            cancellation.ThrowIfCancellationRequested();
        }
    }

    /// <summary>A leadership term's work: run the job (submitted by this run or recovered after a failover), record its end.</summary>
    private static async Task LeadAsync(IHighAvailabilityServices services, JobManagerRunner jobManager, long token, JobGraph job, DateTimeOffset started,
        CancellationToken termStop)
    {
        var stored = await services.GetJobsAsync().ConfigureAwait(false);
        if (stored.Any(j => j.JobId == job.JobId))
        {
            Logger.LogInformation("JobManager: resuming job {JobId} from the job store.", JobIds.Format(job.JobId));
        }
        else
        {
            if (await services.GetJobResultAsync(job.JobId).ConfigureAwait(false) is { } previous)
            {
                if (previous.FinishedAt >= started)
                {
                    return; // this run's job already ended under an earlier leader
                }

                await services.RemoveJobResultAsync(token, job.JobId).ConfigureAwait(false); // from an earlier run of the application
            }

            // A new run of the application starts fresh (or from its --from-savepoint), never from checkpoints an earlier
            // run left after a failure under the same job id.
            await services.PutCheckpointPointersAsync(token, job.JobId, []).ConfigureAwait(false);

            var program = Environment.GetCommandLineArgs();
            await services.PutJobAsync(token, new JobSubmission(job.JobId, job.JobName, program[0], program[1..])).ConfigureAwait(false);
        }

        await jobManager.Dispatcher.SubmitJobAsync(job).ConfigureAwait(false);
        var result = await jobManager.Dispatcher.RequestJobResultAsync(job.JobId).WaitAsync(termStop).ConfigureAwait(false);
        await services.PutJobResultAsync(token, JobResultEntry.From(result)).ConfigureAwait(false);
        await services.RemoveJobAsync(token, job.JobId).ConfigureAwait(false);
        await jobManager.NotifyJobEndedAsync(result).ConfigureAwait(false);
    }

    private static JobResult FromEntry(JobResultEntry entry) => new(
        entry.JobId,
        Enum.Parse<JobStatus>(entry.Status),
        TimeSpan.FromMilliseconds(entry.NetRuntimeMs),
        entry.Accumulators,
        entry.FailureMessage is null ? null : new Rpc.RemoteException(entry.FailureType ?? "Exception", entry.FailureMessage, entry.FailureMessage));

    private TaskManagerRunner StartTaskManager(JobGraph job, ILeaderRetrieval retrieval)
    {
        var taskManager = CreateTaskManager(job, retrieval);
        // Part of the process for as long as the process lives: the runner is disposed only on the way out.
        _readiness.Add("taskmanager", () => taskManager.IsRegistered ? null : "not registered with a ResourceManager.");
        return taskManager;
    }

    private TaskManagerRunner CreateTaskManager(JobGraph job, ILeaderRetrieval retrieval) => new(
        new TaskManagerConfiguration
        {
            NumberOfSlots = _options.Slots,
            BindAddress = BindAddress,
            AdvertisedAddress = AdvertisedAddress,
            Network = environment.NetworkConfig,
            HeartbeatTimeout = _options.HeartbeatTimeout ?? TimeSpan.FromSeconds(10),
        },
        retrieval,
        (jobId, _) => jobId == job.JobId
            ? Task.FromResult(job)
            : Task.FromException<JobGraph>(new InvalidOperationException($"This application process runs job {JobIds.Format(job.JobId)} only, not {JobIds.Format(jobId)}.")));

    private JobManagerConfiguration JobManagerConfiguration() => new()
    {
        BindAddress = BindAddress,
        AdvertisedAddress = AdvertisedAddress,
        RestPort = environment.RestPort ?? 8081,
        RestAuthToken = _options.AuthToken,
        HeartbeatTimeout = _options.HeartbeatTimeout ?? TimeSpan.FromSeconds(10),
        RestartStrategy = _options.RestartStrategy is { } spec ? Scheduler.RestartStrategies.Parse(spec) : new JobManagerConfiguration().RestartStrategy,
    };

    private IPAddress BindAddress => _options.BindAddress is { } bind ? IPAddress.Parse(bind) : IPAddress.Loopback;

    private IPAddress? AdvertisedAddress => _options.AdvertisedAddress is { } advertised ? IPAddress.Parse(advertised) : null;

    private static JobExecutionResult ToExecutionResult(JobGraph job, JobResult result) => result.Status switch
    {
        JobStatus.Finished => new JobExecutionResult(job.JobId, result.NetRuntime, result.Accumulators),
        JobStatus.Canceled => throw new JobExecutionException(job.JobId, $"Job '{job.JobName}' ({JobIds.Format(job.JobId)}) was canceled.", null),
        _ => throw new JobExecutionException(job.JobId,
            $"Job '{job.JobName}' ({JobIds.Format(job.JobId)}) failed: {result.Failure?.Message ?? "unknown cause"}",
            result.Failure?.InnerException ?? result.Failure),
    };
}
