using System.Collections.Concurrent;
using Rill.Graph;
using Rill.Runtime.Artifacts;
using Rill.Runtime.Dispatcher;
using Rill.Runtime.HighAvailability;
using Rill.Runtime.Messages;

namespace Rill.Runtime.Entrypoint;

/// <summary>
/// Session mode on the JobManager (Flink's jar handlers): keeps uploaded applications, plans one into a job when a
/// client runs it, and unloads the program when its job ends.
/// </summary>
public sealed class SessionPrograms(ArtifactStore store, IDispatcherGateway dispatcher, ConcurrentDictionary<Guid, ProgramReference> programsByJob)
{
    private readonly ConcurrentDictionary<Guid, PackagedProgram> _running = new();

    public ArtifactStore Store { get; } = store;

    public long MaxUploadBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Records a submission in the job store before the job starts (HA), so a next leader can resume it.</summary>
    public Func<JobSubmission, Task>? Persist { get; init; }

    /// <summary>Plans the application and submits its job.</summary>
    /// <exception cref="KeyNotFoundException">No artifact with that id.</exception>
    /// <exception cref="InvalidArtifactException">The entry class is missing.</exception>
    /// <exception cref="InvalidOperationException">The program failed or ended before defining a job.</exception>
    /// <param name="jobId">The id of a job resumed from the job store; null for a new job.</param>
    public async Task<Guid> RunAsync(string artifactId, string? entryClass, IReadOnlyList<string> arguments, int? parallelism, Guid? jobId = null,
        Checkpointing.SavepointRestoreSettings? savepointRestore = null)
    {
        var artifact = Store.Get(artifactId) ?? throw new KeyNotFoundException($"Artifact {artifactId} not found.");
        PackagedProgram program;
        try
        {
            program = await PackagedProgram.PlanAsync(artifact, entryClass, arguments, parallelism).WaitAsync(PackagedProgram.PlanningTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException(
                $"The program did not reach Execute within {PackagedProgram.PlanningTimeout.TotalSeconds:0} s; planning runs its code up to there, so it must not wait for input.");
        }
        try
        {
            var job = JobGraphGenerator.Create(program.Graph, jobId);
            // Not part of the plan's fingerprint: TaskManagers plan the program without it and still match.
            job.SavepointRestore = savepointRestore ?? job.SavepointRestore;
            if (Persist is { } persist)
            {
                await persist(new JobSubmission(job.JobId, job.JobName, artifact.EntryPointType, arguments, artifactId, entryClass, parallelism,
                    job.SavepointRestore)).ConfigureAwait(false);
            }

            programsByJob[job.JobId] = new ProgramReference(artifactId, entryClass, arguments, parallelism);
            _running[job.JobId] = program;
            return await dispatcher.SubmitJobAsync(job).ConfigureAwait(false);
        }
        catch
        {
            program.Dispose();
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
}
