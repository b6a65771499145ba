using Microsoft.Extensions.Logging;
using Rill.Checkpointing;
using Rill.Graph;
using Rill.Logging;
using Rill.Runtime.HighAvailability;
using Rill.Runtime.Messages;
using Rill.Runtime.Rpc;
using Rill.Runtime.Scheduler;

namespace Rill.Runtime.Checkpoint;

/// <summary>
/// Triggers checkpoints and savepoints of one job and collects them (Flink's CheckpointCoordinator): snapshots the
/// operator coordinators, sends the trigger to the running source subtasks, waits for every running subtask's
/// acknowledgement, then writes the metadata, records the checkpoint in the store (fenced, so a new leader resumes
/// from it) and tells the tasks it is complete, which is when two-phase-commit sinks commit. Runs on the JobMaster's
/// main thread; file and store I/O happen off it.
/// </summary>
internal sealed class CheckpointCoordinator : IDisposable
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<CheckpointCoordinator>();
    private const int HistorySize = 10;
    private readonly JobGraph _job;
    private readonly CheckpointConfig _config;
    private readonly ICompletedCheckpointStore _store;
    private readonly MainThreadExecutor _main;
    private readonly ICheckpointCoordinatorHost _host;
    private readonly SortedDictionary<long, PendingCheckpoint> _pending = [];
    private readonly LinkedList<CheckpointStatsEntry> _history = new();
    private Timer? _timer;
    private bool _triggering;
    private DateTimeOffset _lastCompletion = DateTimeOffset.MinValue;
    private int _consecutiveFailures;
    private int _completedCount;
    private int _failedCount;
    private int _restoredCount;
    private CheckpointStatsEntry? _latestCompleted;
    private CheckpointStatsEntry? _latestFailed;
    private CheckpointStatsEntry? _latestSavepoint;
    private RestoredCheckpointStats? _latestRestored;
    private bool _disposed;
    private Task _finalizations = Task.CompletedTask;
    private long? _restoring;
    private readonly CheckpointMetrics _metrics;

    public CheckpointCoordinator(JobGraph job, CheckpointConfig config, ICompletedCheckpointStore store, MainThreadExecutor main, ICheckpointCoordinatorHost host)
    {
        _job = job;
        _config = config;
        _store = store;
        _main = main;
        _host = host;
        _metrics = new CheckpointMetrics(job.JobId, job.JobName);
    }

    /// <summary>The newest completed checkpoint or savepoint (what a restart restores).</summary>
    public CompletedCheckpoint? Latest { get; private set; }

    public string JobDirectory => Path.Combine(_config.EffectiveDirectory, _job.JobId.ToString("N"));

    public void StartPeriodicScheduling()
    {
        if (_config.Interval is not { } interval || _timer is not null || _disposed)
        {
            return;
        }

        _timer = new Timer(_ => _main.Execute(TriggerPeriodic), null, interval, interval);
    }

    public void StopPeriodicScheduling()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private void TriggerPeriodic()
    {
        if (_triggering || _pending.Count >= _config.MaxConcurrentCheckpoints || !_host.IsRunning
            || DateTimeOffset.UtcNow - _lastCompletion < _config.MinPauseBetweenCheckpoints)
        {
            return;
        }

        _ = TriggerAsync(CheckpointKind.Checkpoint, null);
    }

    /// <summary>Starts a checkpoint or savepoint; completes when it is complete (or fails with the reason).</summary>
    /// <param name="ownedByJob">A savepoint the job takes for itself (a reactive rescale): it goes into a chk-N folder and
    /// is deleted like a checkpoint once subsumed, instead of piling up next to the user's savepoints.</param>
    public Task<CompletedCheckpoint> TriggerAsync(CheckpointKind kind, string? targetDirectory, bool ownedByJob = false)
    {
        var completion = new TaskCompletionSource<CompletedCheckpoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (NotReadyReason() is { } reason)
        {
            completion.SetException(new CheckpointException($"Cannot take a {Describe(kind)} now: {reason}"));
            return completion.Task;
        }

        if (kind == CheckpointKind.SavepointTerminate)
        {
            // The tasks stop after this savepoint: a later checkpoint would find them finishing and hold no state, and
            // must not become the newest restore point. If the savepoint fails, the job goes on, and so do checkpoints.
            StopPeriodicScheduling();
            _ = completion.Task.ContinueWith(_ => _main.Execute(StartPeriodicScheduling), CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        _triggering = true;
        _main.OnComplete(_store.NextCheckpointIdAsync(_job.JobId), (id, error) =>
        {
            _triggering = false;
            if (error is not null)
            {
                completion.SetException(new CheckpointException($"Could not get a checkpoint id: {error.Message}", error));
                return;
            }

            if (NotReadyReason() is { } lateReason)
            {
                completion.SetException(new CheckpointException($"Cannot take a {Describe(kind)} now: {lateReason}"));
                return;
            }

            Start(id, kind, targetDirectory, ownedByJob, completion);
        });
        return completion.Task;
    }

    private string? NotReadyReason()
    {
        if (_disposed || !_host.IsRunning)
        {
            return "the job is not running.";
        }

        var executions = _host.CurrentExecutions.ToList();
        if (executions.FirstOrDefault(e => e.State is not (ExecutionState.Running or ExecutionState.Finished)) is { } notRunning)
        {
            return $"not all tasks are running ({notRunning.Vertex.Name} is {notRunning.State.ToString().ToUpperInvariant()}).";
        }

        return executions.Any(e => e.Vertex.JobVertex.IsSource && e.State == ExecutionState.Running) ? null : "every source has finished.";
    }

    private void Start(long id, CheckpointKind kind, string? targetDirectory, bool ownedByJob, TaskCompletionSource<CompletedCheckpoint> completion)
    {
        if (kind.IsSavepoint())
        {
            // A savepoint supersedes the periodic checkpoints under way; finishing tasks (after a stop) could otherwise
            // complete one of them without their state.
            foreach (var older in _pending.Values.Where(p => p.Kind == CheckpointKind.Checkpoint).Select(p => p.Id).ToList())
            {
                Abort(older, $"Checkpoint {older} was superseded by a savepoint.", countsTowardsFailure: false);
            }
        }

        var location = kind.IsSavepoint() && !ownedByJob
            ? Path.Combine(Path.GetFullPath(targetDirectory ?? Path.Combine(_config.EffectiveDirectory, "savepoints")),
                $"savepoint-{_job.JobId.ToString("N")[..6]}-{Guid.NewGuid().ToString("N")[..12]}")
            : Path.Combine(JobDirectory, $"chk-{id}");
        var states = new Dictionary<string, byte[]>();
        try
        {
            Directory.CreateDirectory(location);
            foreach (var (operatorId, coordinator) in _host.OperatorCoordinators)
            {
                states[operatorId] = coordinator.CheckpointCoordinator(id);
            }
        }
        catch (Exception e)
        {
            RecordFailure(new CheckpointStatsEntry(id, CheckpointStatus.Failed, kind, DateTimeOffset.UtcNow, null, 0, 0, 0, 0, 0, 0, null, e.Message), countsTowardsFailure: true);
            completion.SetException(new CheckpointException($"The {Describe(kind)} could not start (writing to {location}): {e.Message}", e));
            return;
        }

        var toAcknowledge = _host.CurrentExecutions.Where(e => e.State == ExecutionState.Running).ToList();
        var pending = new PendingCheckpoint(id, kind, location, DateTimeOffset.UtcNow, toAcknowledge, states);
        _ = pending.Completion.Task.ContinueWith(t =>
        {
            if (t.IsFaulted)
            {
                completion.TrySetException(t.Exception!.InnerExceptions);
            }
            else
            {
                completion.TrySetResult(t.Result);
            }
        }, TaskScheduler.Default);
        _pending[id] = pending;
        var barrier = new CheckpointBarrier(id, pending.TriggerTime.ToUnixTimeMilliseconds(), kind, location);
        foreach (var source in toAcknowledge.Where(e => e.Vertex.JobVertex.IsSource))
        {
            _host.TriggerTask(source, barrier);
        }

        _ = Task.Delay(_config.Timeout, pending.TimeoutCancellation.Token).ContinueWith(_ => _main.Execute(() =>
        {
            if (_pending.ContainsKey(id))
            {
                Abort(id, $"Checkpoint {id} expired before completing (timeout {_config.Timeout.TotalSeconds:0.#} s).", countsTowardsFailure: true);
            }
        }), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        _ = pending.Completion.Task.ContinueWith(_ => pending.TimeoutCancellation.Cancel(), TaskScheduler.Default);
    }

    /// <summary>
    /// A task finished (after its final checkpoint): checkpoints triggered while its end was on the way will never hear
    /// from it, and need nothing from it (it has no state left), so it counts as acknowledged with empty state.
    /// </summary>
    public void OnTaskFinished(Guid attemptId)
    {
        foreach (var pending in _pending.Values.Where(p => p.WaitsFor(attemptId)).ToList())
        {
            Acknowledge(attemptId, pending.Id, new TaskStateSnapshot([], 0, 0));
        }
    }

    public void Acknowledge(Guid attemptId, long checkpointId, TaskStateSnapshot state)
    {
        if (!_pending.TryGetValue(checkpointId, out var pending) || !pending.Acknowledge(attemptId, state) || !pending.IsFullyAcknowledged)
        {
            return;
        }

        _pending.Remove(checkpointId);
        var completed = ToCompleted(pending);
        // One finalization at a time, in completion order: two that overlap would each read, append to and write back
        // the retained list, and the older one could win (and a restore then go back behind a committed checkpoint).
        var finalization = _finalizations.ContinueWith(async _ =>
        {
            CheckpointMetadata.Write(completed);
            // Savepoints too: sinks commit on every completed snapshot, so a restore must never go back behind one
            // (that would commit its records twice). Only chk-N folders are ever deleted when subsumed.
            var retained = (await _store.GetAsync(_job.JobId).ConfigureAwait(false)).ToList();
            retained.Add(new CheckpointPointer(completed.CheckpointId, completed.MetadataPath, pending.TriggerTime));
            retained = retained.DistinctBy(p => p.CheckpointId).OrderBy(p => p.CheckpointId).ToList();
            var subsumed = retained.Take(Math.Max(0, retained.Count - _config.RetainedCheckpoints)).ToList();
            await _store.PutAsync(_job.JobId, retained.Skip(subsumed.Count).ToList()).ConfigureAwait(false);
            return subsumed;
        }, TaskScheduler.Default).Unwrap();
        _finalizations = finalization.ContinueWith(_ => { }, TaskScheduler.Default);
        _ = finalization.ContinueWith(t => _main.Execute(() =>
        {
            if (t.IsFaulted)
            {
                var cause = t.Exception!.InnerException!;
                FailPending(pending, $"Checkpoint {checkpointId} could not be finalized: {cause.Message}", countsTowardsFailure: true);
                return;
            }

            OnCompleted(pending, completed);
            foreach (var old in t.Result)
            {
                DiscardCheckpointDirectory(Path.GetDirectoryName(old.MetadataPath)!);
            }

            DiscardAbortedBefore(checkpointId);
        }), TaskScheduler.Default);
    }

    private void OnCompleted(PendingCheckpoint pending, CompletedCheckpoint completed)
    {
        _consecutiveFailures = 0;
        _completedCount++;
        _lastCompletion = DateTimeOffset.UtcNow;
        if (Latest is null || Latest.CheckpointId < completed.CheckpointId)
        {
            Latest = completed;
        }

        var entry = Entry(pending, CheckpointStatus.Completed, completed.StateSize, completed.Location, null);
        Logger.LogDebug("Job {JobName}: completed {CheckpointKind} {CheckpointId} ({StateSize} bytes in {DurationMs} ms) at {Location}.",
            _job.JobName, completed.Kind, completed.CheckpointId, completed.StateSize, entry.EndToEndDurationMs, completed.Location);
        _latestCompleted = completed.Kind == CheckpointKind.Checkpoint ? entry : _latestCompleted;
        _latestSavepoint = completed.Kind.IsSavepoint() ? entry : _latestSavepoint;
        AddHistory(entry);
        _metrics.Report(entry);
        foreach (var execution in _host.CurrentExecutions.Where(e => !e.State.IsTerminal()))
        {
            _host.NotifyCheckpointComplete(execution, completed.CheckpointId);
        }

        pending.Completion.TrySetResult(completed);
    }

    /// <param name="countsAsFailure">False when the task could not take part for reasons outside checkpointing (its
    /// TaskManager is gone): the job's failover handles that, and it must not also count towards failing the job.</param>
    public void Decline(Guid attemptId, long checkpointId, string reason, bool countsAsFailure = true)
    {
        if (_pending.TryGetValue(checkpointId, out var pending) && pending.WaitsFor(attemptId))
        {
            Abort(checkpointId, $"Checkpoint {checkpointId} was declined: {reason}", countsAsFailure);
        }
    }

    /// <summary>Every pending checkpoint ends (the job restarts, stops or fails); this is not a checkpoint failure.</summary>
    public void AbortAll(string reason)
    {
        foreach (var id in _pending.Keys.ToList())
        {
            Abort(id, reason, countsTowardsFailure: false);
        }
    }

    private void Abort(long checkpointId, string reason, bool countsTowardsFailure)
    {
        if (_pending.Remove(checkpointId, out var pending))
        {
            FailPending(pending, reason, countsTowardsFailure);
        }
    }

    private void FailPending(PendingCheckpoint pending, string reason, bool countsTowardsFailure)
    {
        foreach (var execution in _host.CurrentExecutions.Where(e => !e.State.IsTerminal()))
        {
            _host.NotifyCheckpointAborted(execution, pending.Id);
        }

        pending.Completion.TrySetException(new CheckpointException(reason));
        RecordFailure(Entry(pending, CheckpointStatus.Failed, pending.Acknowledged.Values.Sum(s => s.StateSize), null, reason), countsTowardsFailure);
        // Files of a failed checkpoint are never referenced: remove them (only job-owned chk-N folders; a savepoint's
        // directory is the user's).
        DiscardCheckpointDirectory(pending.Location);
    }

    private void RecordFailure(CheckpointStatsEntry entry, bool countsTowardsFailure)
    {
        // Aborts (the job restarts, stops or ends; a TaskManager is gone) are the job's business, not a checkpointing problem.
        Logger.Log(countsTowardsFailure ? LogLevel.Warning : LogLevel.Debug, "Job {JobName}: {CheckpointKind} {CheckpointId} failed: {Reason}",
            _job.JobName, entry.Kind, entry.Id, entry.FailureMessage);
        _failedCount++;
        _latestFailed = entry;
        AddHistory(entry);
        _metrics.Report(entry);
        if (countsTowardsFailure && entry.Kind == CheckpointKind.Checkpoint && ++_consecutiveFailures > _config.TolerableFailedCheckpoints)
        {
            _consecutiveFailures = 0;
            _host.FailJob(new CheckpointException(
                $"Exceeded the tolerable number of failed checkpoints ({_config.TolerableFailedCheckpoints}): {entry.FailureMessage}"));
        }
    }

    /// <summary>The job (attempt) starts from this checkpoint; a later restart without newer checkpoints uses it again.</summary>
    public void RecordRestore(CompletedCheckpoint checkpoint)
    {
        _restoredCount++;
        _restoring = checkpoint.CheckpointId;
        _latestRestored = new RestoredCheckpointStats(checkpoint.CheckpointId, DateTimeOffset.UtcNow, checkpoint.Kind.IsSavepoint(), checkpoint.Location);
        if (Latest is null || Latest.CheckpointId < checkpoint.CheckpointId)
        {
            Latest = checkpoint;
        }
    }

    /// <summary>The job ended for good: its checkpoints are no longer needed (kept after a failure, to restore by hand).</summary>
    public async Task DiscardAllAsync()
    {
        var retained = await _store.GetAsync(_job.JobId).ConfigureAwait(false);
        await _store.PutAsync(_job.JobId, []).ConfigureAwait(false);
        foreach (var pointer in retained)
        {
            DiscardCheckpointDirectory(Path.GetDirectoryName(pointer.MetadataPath)!);
        }

        // Also folders of aborted checkpoints that a late state file refilled after they were deleted.
        DiscardAbortedBefore(long.MaxValue);
        if (Directory.Exists(JobDirectory) && !Directory.EnumerateFileSystemEntries(JobDirectory).Any())
        {
            Directory.Delete(JobDirectory);
        }
    }

    /// <summary>
    /// Deletes this job's chk-N folders below <paramref name="checkpointId"/> that hold no completed checkpoint: an aborted
    /// checkpoint's folder is deleted when it is aborted, but a task still writing its state file may refill it.
    /// </summary>
    private void DiscardAbortedBefore(long checkpointId)
    {
        if (!Directory.Exists(JobDirectory))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(JobDirectory, "chk-*"))
        {
            if (long.TryParse(Path.GetFileName(folder)["chk-".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                && id < checkpointId && !_pending.ContainsKey(id) && (!File.Exists(Path.Combine(folder, CompletedCheckpoint.MetadataFileName)) || checkpointId == long.MaxValue))
            {
                DiscardCheckpointDirectory(folder);
            }
        }
    }

    private void DiscardCheckpointDirectory(string location)
    {
        // Only this job's own chk-N folders: never a user's savepoint, never anything a user pointed the job at; and not
        // the one tasks are restoring from right now (it goes with a later subsumption or the job's end).
        var parent = Path.GetDirectoryName(Path.GetFullPath(location));
        if (!string.Equals(parent, Path.GetFullPath(JobDirectory), StringComparison.Ordinal) || !Path.GetFileName(location).StartsWith("chk-", StringComparison.Ordinal)
            || (_restoring is { } restoring && !_disposed && Path.GetFileName(location) == $"chk-{restoring}"))
        {
            return;
        }

        try
        {
            if (Directory.Exists(location))
            {
                Directory.Delete(location, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Logger.LogWarning(e, "Checkpoint directory {Directory} could not be deleted: {Reason}", location, e.Message);
        }
    }

    public CheckpointStats Stats => new(_completedCount, _failedCount, _pending.Count, _restoredCount, _latestCompleted, _latestFailed, _latestSavepoint,
        _latestRestored, _pending.Values.Select(p => Entry(p, CheckpointStatus.InProgress, p.Acknowledged.Values.Sum(s => s.StateSize), null, null))
            .Concat(_history).ToList());

    private CompletedCheckpoint ToCompleted(PendingCheckpoint pending)
    {
        var operators = new List<OperatorState>();
        foreach (var vertex in _job.Vertices)
        {
            foreach (var node in vertex.Chain)
            {
                var subtasks = Enumerable.Range(0, vertex.Parallelism).Select(i =>
                    pending.Acknowledged.TryGetValue((vertex.Id, i), out var state) && state.Operators.FirstOrDefault(o => o.OperatorId == node.OperatorId) is { } own
                        ? own
                        : new OperatorSubtaskState(node.OperatorId, [], [])).ToList();
                operators.Add(new OperatorState(node.OperatorId, node.Name, vertex.Parallelism, vertex.MaxParallelism, subtasks));
            }
        }

        return new CompletedCheckpoint(_job.JobId, pending.Id, pending.TriggerTime, pending.Kind, pending.Location, operators, pending.CoordinatorStates);
    }

    private static CheckpointStatsEntry Entry(PendingCheckpoint pending, CheckpointStatus status, long size, string? path, string? failure)
    {
        var acknowledged = pending.Acknowledged.Values;
        return new CheckpointStatsEntry(pending.Id, status, pending.Kind, pending.TriggerTime, pending.LatestAckTime, size,
            (long)(DateTimeOffset.UtcNow - pending.TriggerTime).TotalMilliseconds,
            acknowledged.Count == 0 ? 0 : acknowledged.Max(s => s.SyncDurationMs), acknowledged.Count == 0 ? 0 : acknowledged.Max(s => s.AsyncDurationMs),
            pending.NumSubtasks, acknowledged.Count, path, failure);
    }

    private void AddHistory(CheckpointStatsEntry entry)
    {
        _history.AddFirst(entry);
        while (_history.Count > HistorySize)
        {
            _history.RemoveLast();
        }
    }

    private static string Describe(CheckpointKind kind) => kind.IsSavepoint() ? "savepoint" : "checkpoint";

    public void Dispose()
    {
        _disposed = true;
        StopPeriodicScheduling();
        _metrics.Dispose();
    }
}
