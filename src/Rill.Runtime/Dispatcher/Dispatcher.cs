using Microsoft.Extensions.Logging;
using Rill.Graph;
using Rill.Logging;
using Rill.Runtime.Messages;
using Rill.Runtime.ResourceManager;
using Rill.Runtime.Rpc;
using Rill.Runtime.Scheduler;

namespace Rill.Runtime.Dispatcher;

/// <summary>
/// Accepts jobs, starts one JobMaster per job and keeps each job's final result and details after its
/// JobMaster is gone, so status queries work for finished jobs too.
/// </summary>
public sealed class Dispatcher : IDispatcherGateway, IAsyncDisposable
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<Dispatcher>();
    private readonly IResourceManagerGateway _resourceManager;
    private readonly Func<IRestartStrategy> _restartStrategy;
    private readonly TimeSpan _taskCancellationTimeout;
    private readonly MainThreadExecutor _main;
    private readonly Dictionary<Guid, JobEntry> _jobs = [];

    private readonly Checkpoint.ICompletedCheckpointStore _checkpointStore;

    public Dispatcher(IResourceManagerGateway resourceManager, Func<IRestartStrategy> restartStrategy, TimeSpan taskCancellationTimeout,
        Checkpoint.ICompletedCheckpointStore? checkpointStore = null)
    {
        _checkpointStore = checkpointStore ?? new Checkpoint.InMemoryCompletedCheckpointStore();
        _resourceManager = resourceManager;
        _restartStrategy = restartStrategy;
        _taskCancellationTimeout = taskCancellationTimeout;
        _main = new MainThreadExecutor("Dispatcher", e => Logger.LogError(e, "Dispatcher: a call on its main thread failed."));
    }

    /// <summary>Raised once per job when it reaches a terminal state (after its result is set).</summary>
    public event Action<JobResult>? JobTerminated;

    /// <summary>
    /// Starts a job; a savepoint it cannot start from is refused here, with the reason (<see cref="Checkpointing.CheckpointException"/>),
    /// and so is a job id this Dispatcher already has (<see cref="DuplicateJobSubmissionException"/>), running or ended.
    /// </summary>
    public async Task<Guid> SubmitJobAsync(JobGraph job)
    {
        using var span = Metrics.RillTelemetry.ActivitySource.StartActivity("submit job");
        span?.SetTag(Metrics.MetricTags.JobId, JobIds.Format(job.JobId));
        span?.SetTag(Metrics.MetricTags.JobName, job.JobName);
        try
        {
            return await SubmitCheckedJobAsync(job, span?.Context ?? default).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    private async Task<Guid> SubmitCheckedJobAsync(JobGraph job, System.Diagnostics.ActivityContext span)
    {
        if (job.Options.Reactive is not null && !job.Options.Checkpointing.IsEnabled)
        {
            throw new Checkpointing.CheckpointException(
                "Reactive mode rescales from checkpoints and savepoints: enable checkpointing (EnableCheckpointing, or --checkpointing MS in the samples).");
        }

        if (job.SavepointRestore is { } savepoint)
        {
            var checkpoint = Checkpoint.CheckpointMetadata.Read(savepoint.Path);
            Checkpoint.StateAssignment.Assign(checkpoint, job, savepoint.AllowNonRestoredState);
        }

        return await SubmitValidatedJobAsync(job, span).ConfigureAwait(false);
    }

    private Task<Guid> SubmitValidatedJobAsync(JobGraph job, System.Diagnostics.ActivityContext span) => _main.CallAsync(() =>
    {
        if (_jobs.ContainsKey(job.JobId))
        {
            throw new DuplicateJobSubmissionException(job.JobId, $"Job {JobIds.Format(job.JobId)} was already submitted.");
        }

        var jobMaster = new JobMaster.JobMaster(job, _resourceManager, _restartStrategy(), _taskCancellationTimeout, _checkpointStore, span);
        var entry = new JobEntry(job, jobMaster, DateTimeOffset.UtcNow);
        _jobs[job.JobId] = entry;
        Logger.LogInformation("Job {JobName} ({JobId}) submitted.", job.JobName, JobIds.Format(job.JobId));
        _main.OnComplete(jobMaster.StartAsync(), error =>
        {
            if (error is not null)
            {
                entry.Result.TrySetResult(new JobResult(job.JobId, JobStatus.Failed, TimeSpan.Zero, new Dictionary<string, long>(), error));
            }
        });
        _main.OnComplete(jobMaster.Result, (JobResult? result, Exception? error) => OnJobMasterDone(entry, jobMaster, result, error));
        return job.JobId;
    });

    private void OnJobMasterDone(JobEntry entry, JobMaster.JobMaster jobMaster, JobResult? result, Exception? error) =>
        _main.OnComplete(jobMaster.RequestJobDetailsAsync(), (JobDetails? details, Exception? detailsError) =>
        {
            entry.FinalDetails = details;
            entry.JobMaster = null;
            if (entry.Result.TrySetResult(result ?? new JobResult(entry.Job.JobId, JobStatus.Failed, TimeSpan.Zero, new Dictionary<string, long>(), error)))
            {
                JobTerminated?.Invoke(entry.Result.Task.Result);
            }

            _ = jobMaster.DisposeAsync().AsTask();
        });

    /// <summary>The running JobMaster of a job, for the RPC endpoint that routes TaskManagers' calls; null once it ended.</summary>
    internal Task<JobMaster.JobMaster?> TryGetJobMasterAsync(Guid jobId) => _main.CallAsync(() => _jobs.GetValueOrDefault(jobId)?.JobMaster);

    public async Task<JobResult> RequestJobResultAsync(Guid jobId)
    {
        var entry = await _main.CallAsync(() => _jobs.GetValueOrDefault(jobId)).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Job {JobIds.Format(jobId)} not found.");
        return await entry.Result.Task.ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JobOverview>> ListJobsAsync()
    {
        var entries = await _main.CallAsync(() => _jobs.Values.ToList()).ConfigureAwait(false);
        var overviews = await Task.WhenAll(entries.Select(async e =>
        {
            // A running job's status is its JobMaster's (CREATED while it waits for slots, RESTARTING, …).
            var status = e.Status;
            if (e.JobMaster is { } jobMaster && !e.Result.Task.IsCompleted)
            {
                try
                {
                    status = (await jobMaster.RequestJobDetailsAsync().ConfigureAwait(false)).Status;
                }
                catch (ObjectDisposedException)
                {
                    // it just ended; the entry's own status follows
                }
            }

            return new JobOverview(e.Job.JobId, e.Job.JobName, status, e.SubmittedAt, e.FinalDetails?.EndTime);
        })).ConfigureAwait(false);
        return overviews;
    }

    public async Task<JobDetails?> RequestJobDetailsAsync(Guid jobId)
    {
        var entry = await _main.CallAsync(() => _jobs.GetValueOrDefault(jobId)).ConfigureAwait(false);
        if (entry is null)
        {
            return null;
        }

        if (entry.JobMaster is { } jobMaster)
        {
            try
            {
                return await jobMaster.RequestJobDetailsAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                await entry.Result.Task.ConfigureAwait(false); // it just finished: its final details follow
            }
        }

        return entry.FinalDetails;
    }

    /// <summary>
    /// Takes a savepoint of a running job (with <paramref name="terminate"/>, then stops it: Flink's stop-with-savepoint) and
    /// returns its directory. Throws <see cref="KeyNotFoundException"/> for an unknown job, <see cref="InvalidOperationException"/>
    /// for one that is no longer running, and <see cref="Checkpointing.CheckpointException"/> when the savepoint fails.
    /// </summary>
    public async Task<string> TriggerSavepointAsync(Guid jobId, string? targetDirectory, bool terminate)
    {
        var entry = await _main.CallAsync(() => _jobs.GetValueOrDefault(jobId)).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Job {JobIds.Format(jobId)} not found.");
        var jobMaster = entry.JobMaster ?? throw new InvalidOperationException($"Job {JobIds.Format(jobId)} is no longer running.");
        return await jobMaster.TriggerSavepointAsync(targetDirectory, terminate).ConfigureAwait(false);
    }

    public async Task<bool> CancelJobAsync(Guid jobId)
    {
        var entry = await _main.CallAsync(() => _jobs.GetValueOrDefault(jobId)).ConfigureAwait(false);
        if (entry is null)
        {
            return false;
        }

        if (entry.JobMaster is { } jobMaster)
        {
            await jobMaster.CancelAsync().ConfigureAwait(false);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        var running = await _main.CallAsync(() => _jobs.Values.Select(e => e.JobMaster).OfType<JobMaster.JobMaster>().ToList()).ConfigureAwait(false);
        foreach (var jobMaster in running)
        {
            try
            {
                await jobMaster.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (jobMaster.Result.IsCompleted)
            {
                // The job ended on its own after the list was taken and its JobMaster was released (OnJobMasterDone).
                continue;
            }

            await Task.WhenAny(jobMaster.Result, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
            await jobMaster.DisposeAsync().ConfigureAwait(false);
        }

        // Whoever still waits for a result (a client, the leader's own program) learns that this JobManager stopped,
        // instead of waiting forever for callbacks a stopped main thread no longer runs.
        var pending = await _main.CallAsync(() => _jobs.Values.Where(e => !e.Result.Task.IsCompleted).ToList()).ConfigureAwait(false);
        await _main.DisposeAsync().ConfigureAwait(false);
        foreach (var entry in pending)
        {
            entry.Result.TrySetResult(new JobResult(entry.Job.JobId, JobStatus.Suspended, DateTimeOffset.UtcNow - entry.SubmittedAt,
                new Dictionary<string, long>(), new InvalidOperationException("The JobManager stopped before the job ended.")));
        }
    }

    private sealed class JobEntry(JobGraph job, JobMaster.JobMaster jobMaster, DateTimeOffset submittedAt)
    {
        public JobGraph Job { get; } = job;

        public JobMaster.JobMaster? JobMaster { get; set; } = jobMaster;

        public DateTimeOffset SubmittedAt { get; } = submittedAt;

        public JobDetails? FinalDetails { get; set; }

        public TaskCompletionSource<JobResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public JobStatus Status => FinalDetails?.Status ?? (Result.Task.IsCompleted ? Result.Task.Result.Status : JobStatus.Running);
    }
}
