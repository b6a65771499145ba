using System.Net;
using System.Security.Cryptography;
using System.Text;
using Rill.Api;
using Rill.Executors;
using Rill.Graph;
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
    private readonly DeploymentOptions _options = environment.Deployment;

    /// <summary>
    /// The job's id in application mode: the same in every process (and after a JobManager failover), derived from the
    /// cluster id and job name, as Flink fixes the job id of an HA application.
    /// </summary>
    public static Guid ApplicationJobId(string clusterId, string jobName) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"rill-application/{clusterId}/{jobName}"))[..16]);

    public async Task<JobExecutionResult> ExecuteAsync(StreamGraph streamGraph, CancellationToken cancellation)
    {
        var job = JobGraphGenerator.Create(streamGraph, ApplicationJobId(_options.ClusterId, streamGraph.JobName));
        if (_options.Cluster is not null)
        {
            throw new NotSupportedException("--cluster (HA leader election) is not available yet; use --role jobmanager|taskmanager --jobmanager URL.");
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
        Console.Error.WriteLine($"Rill TaskManager {taskManager.TaskExecutor.TaskManagerId}: {_options.Slots} slots, joining the JobManager at {jobManager}");
        return await taskManager.WaitForJobEndAsync(job.JobId).WaitAsync(cancellation).ConfigureAwait(false);
    }

    private TaskManagerRunner StartTaskManager(JobGraph job, ILeaderRetrieval retrieval) => new(
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
