using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Rill.Checkpointing;
using Rill.Graph;
using Rill.Logging;
using Rill.Runtime.Artifacts;
using Rill.Runtime.Dispatcher;
using Rill.Runtime.HighAvailability;
using Rill.Runtime.Messages;

namespace Rill.Runtime.Entrypoint;

/// <summary>
/// Session mode on the JobManager (Flink's jar handlers): keeps uploaded applications, plans one into a job when a
/// client runs it, and unloads the program when its job ends. A run is idempotent per job id: a client whose answer
/// was lost sends the same run with the same id again and gets the same job.
/// </summary>
public sealed class SessionPrograms(ArtifactStore store, IDispatcherGateway dispatcher, ConcurrentDictionary<Guid, ProgramReference> programsByJob)
{
    private readonly ConcurrentDictionary<Guid, PackagedProgram> _running = new();

    // One record per job submitted here, kept after the job ended so that a retry of a finished job's run is answered,
    // not run again. Bounded as the Dispatcher's own job list is, which keeps every job's graph and final details for
    // this JobManager's lifetime: a record is a few strings next to that. A failed run leaves no record (nor a job).
    private static readonly ILogger Logger = RillLogging.CreateLogger<SessionPrograms>();

    private readonly ConcurrentDictionary<Guid, Submission> _submissions = new();

    public ArtifactStore Store { get; } = store;

    public long MaxUploadBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Records a submission in the job store before the job starts (HA), so a next leader can resume it.</summary>
    public Func<JobSubmission, Task>? Persist { get; init; }

    /// <summary>
    /// Takes a persisted submission back out of the job store when the Dispatcher refused its job (a savepoint that does
    /// not fit it): left there, every next leader would try to resume a job that never ran, and fail the same way.
    /// </summary>
    public Func<Guid, Task>? Unpersist { get; init; }

    /// <summary>
    /// Whether a job with this id already ended under an earlier leader (HA: the result store has its outcome). This
    /// JobManager has no record of such a job, so a run under its id is refused rather than run a second time.
    /// </summary>
    public Func<Guid, Task<bool>>? EndedUnderEarlierLeader { get; init; }

    /// <summary>Plans the application and submits its job, once per job id.</summary>
    /// <param name="jobId">
    /// The client's id for the job (Flink's jar-run <c>jobId</c>); null for a fresh one. The same id with the same
    /// submission again starts nothing: it returns the id, once the first attempt succeeded (while that attempt is in
    /// progress, its outcome: the id or the same exception).
    /// </param>
    /// <exception cref="KeyNotFoundException">No artifact with that id.</exception>
    /// <exception cref="InvalidArtifactException">The entry class is missing.</exception>
    /// <exception cref="DuplicateJobSubmissionException">
    /// The id is taken: by a run with other settings (the message names them), by a job this JobManager did not start
    /// from an upload (an application-mode job), or by one that ended under an earlier leader.
    /// </exception>
    /// <exception cref="InvalidOperationException">The program failed or ended before defining a job.</exception>
    public Task<Guid> RunAsync(string artifactId, string? entryClass, IReadOnlyList<string> arguments, int? parallelism, Guid? jobId = null,
        SavepointRestoreSettings? savepointRestore = null) =>
        SubmitOnceAsync(jobId ?? Guid.NewGuid(), new SessionSubmission(artifactId, entryClass, arguments, parallelism, savepointRestore),
            savepointRestore, refuseEndedJobs: true);

    /// <summary>
    /// Resumes a job of the job store under its id (a new leader), starting from <paramref name="restore"/> (null: its
    /// own latest checkpoint, if any). It is recorded as its client submitted it, so that client's retry gets this job.
    /// </summary>
    public Task<Guid> ResumeAsync(JobSubmission stored, SavepointRestoreSettings? restore)
    {
        var artifactId = stored.ArtifactId ?? throw new ArgumentException($"Job {JobIds.Format(stored.JobId)} is an application-mode job: its own processes resume it.", nameof(stored));
        return SubmitOnceAsync(stored.JobId, new SessionSubmission(artifactId, stored.EntryClass, stored.Arguments, stored.Parallelism, stored.SavepointRestore),
            restore, refuseEndedJobs: false);
    }

    private async Task<Guid> SubmitOnceAsync(Guid jobId, SessionSubmission submission, SavepointRestoreSettings? restore, bool refuseEndedJobs)
    {
        var candidate = new Submission(submission, () => PlanAndSubmitAsync(jobId, submission, restore, refuseEndedJobs));
        var record = _submissions.GetOrAdd(jobId, candidate);
        if (record != candidate && record.Settings.DifferencesTo(submission) is { Count: > 0 } differences)
        {
            throw new DuplicateJobSubmissionException(jobId,
                $"Job {JobIds.Format(jobId)} was already submitted with other settings: {string.Join("; ", differences)}. " +
                "Send the same run again to get that job, or run this one under another job id.");
        }

        try
        {
            return await record.Result.Value.ConfigureAwait(false);
        }
        catch
        {
            // Nothing started: a later run under this id is a new attempt (every waiter removes the same record, once).
            _submissions.TryRemove(KeyValuePair.Create(jobId, record));
            throw;
        }
    }

    private async Task<Guid> PlanAndSubmitAsync(Guid jobId, SessionSubmission submission, SavepointRestoreSettings? restore, bool refuseEndedJobs)
    {
        // Before anything is planned or persisted: the job store entry of such a job must not be overwritten. The
        // Dispatcher checks again, atomically, when the job is submitted.
        if (await dispatcher.RequestJobDetailsAsync(jobId).ConfigureAwait(false) is not null)
        {
            throw new DuplicateJobSubmissionException(jobId,
                $"Job {JobIds.Format(jobId)} exists on this JobManager and was not started by a run of an upload (an application-mode job?): run this one under another job id.");
        }

        if (refuseEndedJobs && EndedUnderEarlierLeader is { } endedBefore && await endedBefore(jobId).ConfigureAwait(false))
        {
            throw new DuplicateJobSubmissionException(jobId,
                $"Job {JobIds.Format(jobId)} already ran and ended under an earlier JobManager leader, which kept its outcome but not its settings: it is not run again. Run this one under another job id.");
        }

        var artifact = Store.Get(submission.ArtifactId) ?? throw new KeyNotFoundException($"Artifact {submission.ArtifactId} not found.");
        PackagedProgram program;
        try
        {
            program = await PackagedProgram.PlanAsync(artifact, submission.EntryClass, submission.Arguments, submission.Parallelism)
                .WaitAsync(PackagedProgram.PlanningTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException(
                $"The program did not reach Execute within {PackagedProgram.PlanningTimeout.TotalSeconds:0} s; planning runs its code up to there, so it must not wait for input.");
        }

        var reference = new ProgramReference(submission.ArtifactId, submission.EntryClass, submission.Arguments, submission.Parallelism);
        var persisted = false;
        try
        {
            var job = JobGraphGenerator.Create(program.Graph, jobId);
            // Not part of the plan's fingerprint: TaskManagers plan the program without it and still match.
            job.SavepointRestore = restore ?? job.SavepointRestore;
            if (Persist is { } persist)
            {
                // The submission as its client made it: a resumed job keeps the savepoint it was first started from, as
                // in Flink's job store (its own checkpoints take precedence), and a program's own savepoint setting
                // comes back when a new leader plans it again.
                await persist(new JobSubmission(job.JobId, job.JobName, artifact.EntryPointType, submission.Arguments, submission.ArtifactId,
                    submission.EntryClass, submission.Parallelism, submission.SavepointRestore)).ConfigureAwait(false);
                persisted = true;
            }

            programsByJob[job.JobId] = reference;
            _running[job.JobId] = program;
            return await dispatcher.SubmitJobAsync(job).ConfigureAwait(false);
        }
        catch (Exception refused)
        {
            // The id is this submission's alone (its record), so these entries are its own: a refused job leaves none.
            programsByJob.TryRemove(KeyValuePair.Create(jobId, reference));
            _running.TryRemove(KeyValuePair.Create(jobId, program));
            program.Dispose();
            // Only a new submission is taken back out (refuseEndedJobs: not a resume): a resumed job's entry is the job a client once started, and it
            // stays for the next leader. Nor a duplicate: the Dispatcher refuses one after the persist, and the entry
            // then belongs to the job already running under that id.
            if (persisted && refuseEndedJobs && refused is not DuplicateJobSubmissionException && Unpersist is { } unpersist)
            {
                try
                {
                    await unpersist(jobId).ConfigureAwait(false);
                }
                catch (Exception cleanup)
                {
                    // The refusal is what the client must hear; the stale entry fails a next leader's resume, visibly.
                    Logger.LogError(cleanup, "Job {JobId} was refused, and taking its submission back out of the job store failed: {Reason}",
                        JobIds.Format(jobId), cleanup.Message);
                }
            }

            throw;
        }
    }

    /// <summary>The job ended: its program is unloaded here (TaskManagers unload their copies when told of the end).</summary>
    public void OnJobTerminated(JobResult result)
    {
        programsByJob.TryRemove(result.JobId, out _);
        if (_running.TryRemove(result.JobId, out var program))
        {
            program.Dispose();
        }
    }

    /// <summary>A submission under one job id and its one attempt to run, which every retry of it awaits.</summary>
    private sealed class Submission(SessionSubmission settings, Func<Task<Guid>> run)
    {
        public SessionSubmission Settings { get; } = settings;

        /// <summary>Started by whoever asks first; Lazy's default mode runs it once however many ask at the same time.</summary>
        public Lazy<Task<Guid>> Result { get; } = new(run);
    }
}
