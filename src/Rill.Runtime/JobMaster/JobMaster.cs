using Microsoft.Extensions.Logging;
using Rill.Checkpointing;
using Rill.Graph;
using Rill.Logging;
using Rill.Runtime.Checkpoint;
using Rill.Runtime.Messages;
using Rill.Runtime.ResourceManager;
using Rill.Runtime.Rpc;
using Rill.Runtime.Scheduler;
using Rill.Runtime.TaskExecutor;
using Rill.Sources;

namespace Rill.Runtime.JobMaster;

/// <summary>
/// Runs one job: declares the slots it needs, deploys every subtask once they are offered (slot sharing: subtask
/// i of every vertex shares slot i), tracks subtask states, hosts the source coordinators and applies the
/// restart strategy. All state changes happen on its main thread.
/// </summary>
public sealed class JobMaster : IJobMasterGateway, IAsyncDisposable
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<JobMaster>();
    private readonly JobGraph _job;
    private readonly IResourceManagerGateway _resourceManager;
    private readonly IRestartStrategy _restartStrategy;
    private readonly MainThreadExecutor _main;
    private ExecutionGraph _graph;
    private readonly List<(SlotOffer Offer, ITaskExecutorGateway TaskExecutor)> _slots = [];
    private readonly Dictionary<string, IOperatorCoordinator> _coordinators = [];
    private readonly List<JobExceptionInfo> _exceptions = [];
    private readonly Dictionary<string, long> _accumulators = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<JobResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DateTimeOffset _startTime = DateTimeOffset.UtcNow;
    private readonly TimeSpan _cancellationTimeout;
    private DateTimeOffset? _endTime;
    private JobStatus _status = JobStatus.Created;
    private bool _deployed;
    private Exception? _failureCause;
    private int _restarts;
    private readonly CheckpointCoordinator? _checkpoints;

    // Reactive mode: the adaptive scheduler decides when and at which parallelism the job runs.
    private readonly Scheduler.Adaptive.AdaptiveScheduler? _adaptive;
    private readonly HashSet<string> _leaving = new(StringComparer.Ordinal);

    // What the next deployment restores: the initial savepoint, then the latest completed checkpoint.
    private CompletedCheckpoint? _restoreFrom;

    // Traces: deployments are children of the job's submission span; one is under way from Deploy until every subtask runs.
    private readonly System.Diagnostics.ActivityContext _submission;
    private DateTimeOffset? _deployingSince;

    /// <param name="submission">The span of the job's submission, the parent of its deployment spans (default: none).</param>
    public JobMaster(JobGraph job, IResourceManagerGateway resourceManager, IRestartStrategy restartStrategy, TimeSpan cancellationTimeout,
        ICompletedCheckpointStore? checkpointStore = null, System.Diagnostics.ActivityContext submission = default)
    {
        _submission = submission;
        _cancellationTimeout = cancellationTimeout;
        _job = job;
        _resourceManager = resourceManager;
        _restartStrategy = restartStrategy;
        _graph = new ExecutionGraph(job);
        _main = new MainThreadExecutor($"JobMaster {job.JobName}", e => FailGlobally(new InvalidOperationException("JobMaster internal error.", e)));
        _checkpointStore = checkpointStore ?? new InMemoryCompletedCheckpointStore();
        if (job.Options.Checkpointing.IsEnabled)
        {
            _checkpoints = new CheckpointCoordinator(job, job.Options.Checkpointing, _checkpointStore, _main, new CheckpointHost(this));
        }

        if (job.Options.Reactive is { } reactive)
        {
            _adaptive = new Scheduler.Adaptive.AdaptiveScheduler(new AdaptiveContext(this), reactive);
        }
    }

    private readonly ICompletedCheckpointStore _checkpointStore;

    public Guid JobId => _job.JobId;

    /// <summary>Completes when the job reaches FINISHED, FAILED or CANCELED.</summary>
    public Task<JobResult> Result => _result.Task;

    public async Task StartAsync()
    {
        CompletedCheckpoint? restore = null;
        Exception? restoreFailure = null;
        try
        {
            restore = await FindInitialStateAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            restoreFailure = e;
        }

        await _main.CallAsync(() =>
        {
            if (restoreFailure is not null)
            {
                _exceptions.Add(new JobExceptionInfo(DateTimeOffset.UtcNow, "(restore)", null, restoreFailure.GetType().FullName ?? "", restoreFailure.Message, restoreFailure.ToString()));
                Complete(JobStatus.Failed, restoreFailure);
                return;
            }

            _restoreFrom = restore;
            Start();
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// The job's latest completed checkpoint (a JobManager failover resumes from it), else the savepoint it was started
    /// from, else nothing. A savepoint that cannot be restored fails here, with the reason, before anything runs.
    /// </summary>
    private async Task<CompletedCheckpoint?> FindInitialStateAsync()
    {
        if (_checkpoints is not null)
        {
            if ((await _checkpointStore.GetAsync(JobId).ConfigureAwait(false)).LastOrDefault() is { } pointer)
            {
                // No fallback to an older one: sinks committed the latest, so restoring an older one would commit twice.
                CompletedCheckpoint checkpoint;
                try
                {
                    checkpoint = CheckpointMetadata.Read(pointer.MetadataPath);
                    StateAssignment.Assign(checkpoint, _job, allowNonRestoredState: _job.SavepointRestore?.AllowNonRestoredState ?? false);
                }
                catch (CheckpointException e)
                {
                    throw new CheckpointException($"The job's latest checkpoint {pointer.CheckpointId} ({pointer.MetadataPath}) cannot be restored: {e.Message}", e);
                }

                Logger.LogInformation("Job {JobName}: resuming from checkpoint {CheckpointId} ({Location}).", _job.JobName, checkpoint.CheckpointId, checkpoint.Location);
                return checkpoint;
            }
        }

        if (_job.SavepointRestore is { } savepoint)
        {
            var checkpoint = CheckpointMetadata.Read(savepoint.Path);
            StateAssignment.Assign(checkpoint, _job, savepoint.AllowNonRestoredState);
            return checkpoint;
        }

        return null;
    }

    private void Start()
    {
        SwitchTo(JobStatus.Created);
        if (_adaptive is not null)
        {
            _adaptive.Start();
            return;
        }

        if (_restoreFrom is not null)
        {
            _checkpoints?.RecordRestore(_restoreFrom);
        }

        CreateCoordinators();
        if (!_status.IsGloballyTerminal())
        {
            _resourceManager.DeclareResourceRequirementsAsync(new ResourceRequirements(JobId, _job.RequiredSlots), this);
        }
    }

    private void CreateCoordinators()
    {
        foreach (var coordinator in _coordinators.Values)
        {
            coordinator.Dispose();
        }

        _coordinators.Clear();
        foreach (var vertex in _job.Vertices.Where(v => v.IsSource))
        {
            var operatorId = vertex.Head.OperatorId;
            var coordinator = vertex.Head.Source!.CreateCoordinator(vertex.Parallelism, new CoordinatorContext(this, vertex.Id, operatorId),
                _restoreFrom?.CoordinatorStates.GetValueOrDefault(operatorId));
            _coordinators[operatorId] = coordinator;
            RunCoordinator(vertex.Head.Name, coordinator.Start);
        }
    }

    public Task<IReadOnlyList<SlotOffer>> OfferSlotsAsync(ITaskExecutorGateway taskExecutor, IReadOnlyList<SlotOffer> offers) => _main.CallAsync(() =>
    {
        var accepted = new List<SlotOffer>();
        foreach (var offer in offers)
        {
            if (_status.IsGloballyTerminal() || _slots.Count >= (_adaptive is null ? _job.RequiredSlots : MaxUsefulSlots))
            {
                break;
            }

            _slots.Add((offer, taskExecutor));
            accepted.Add(offer);
        }

        if (_adaptive is not null)
        {
            if (accepted.Count > 0)
            {
                _adaptive.State.OnNewResources();
            }

            return (IReadOnlyList<SlotOffer>)accepted;
        }

        if (!_deployed && _slots.Count >= _job.RequiredSlots && !_status.IsGloballyTerminal())
        {
            Deploy();
        }

        return (IReadOnlyList<SlotOffer>)accepted;
    });

    private void Deploy()
    {
        IReadOnlyDictionary<(string VertexId, int Subtask), TaskRestore>? restores = null;
        if (_restoreFrom is { } checkpoint)
        {
            try
            {
                restores = StateAssignment.Assign(checkpoint, _job, _job.SavepointRestore?.AllowNonRestoredState ?? false);
            }
            catch (CheckpointException e)
            {
                FailGlobally(e);
                return;
            }
        }

        _deployed = true;
        SwitchTo(JobStatus.Running);
        _deployingSince = DateTimeOffset.UtcNow;
        // Place every subtask first: a consumer's descriptor says on which TaskManager each of its producers runs.
        foreach (var executionVertex in _job.Vertices.SelectMany(v => _graph.Vertices[v.Id]))
        {
            var (offer, taskExecutor) = _slots[executionVertex.SubtaskIndex];
            executionVertex.Current.TaskExecutor = taskExecutor;
            executionVertex.Current.AllocationId = offer.AllocationId;
        }

        foreach (var vertex in _job.Vertices)
        {
            foreach (var executionVertex in _graph.Vertices[vertex.Id])
            {
                var execution = executionVertex.Current;
                var (offer, taskExecutor) = _slots[executionVertex.SubtaskIndex];
                execution.State = ExecutionState.Deploying;
                execution.StartTime = DateTimeOffset.UtcNow;
                var descriptor = _graph.CreateDeploymentDescriptor(execution, restores?[(vertex.Id, executionVertex.SubtaskIndex)]);
                _main.OnComplete(taskExecutor.SubmitTaskAsync(descriptor, offer.AllocationId), error =>
                {
                    if (error is IOException)
                    {
                        LoseTaskManager(taskExecutor.TaskManagerId, error);
                    }
                    else if (error is not null)
                    {
                        OnExecutionStateChanged(execution, ExecutionState.Failed, error);
                    }
                });
            }
        }

        _checkpoints?.StartPeriodicScheduling();
    }

    public Task UpdateTaskExecutionStateAsync(TaskExecutionState state) => _main.CallAsync(() =>
    {
        if (_graph.FindCurrent(state.ExecutionAttemptId) is not { } execution)
        {
            return; // from an attempt that a restart already replaced
        }

        if (state.Accumulators is not null)
        {
            execution.Accumulators = state.Accumulators;
        }

        // A periodic snapshot that arrives after the final one must not replace it.
        if (state.Metrics is not null && (!execution.State.IsTerminal() || state.State.IsTerminal()))
        {
            execution.Metrics = state.Metrics;
        }

        OnExecutionStateChanged(execution, state.State, state.Failure);
    });

    private void OnExecutionStateChanged(Execution execution, ExecutionState state, Exception? failure)
    {
        if (execution.State.IsTerminal())
        {
            return;
        }

        if (state == ExecutionState.Canceled && execution.State != ExecutionState.Canceling)
        {
            // Nobody here asked for it: its TaskManager dropped the task (it lost its connection to this JobManager and
            // freed its slots). For the job that is a failure, or it would wait forever for a task that will not finish.
            state = ExecutionState.Failed;
            failure ??= new IOException($"{execution.Vertex.Name} was canceled by its TaskManager {execution.TaskExecutor?.TaskManagerId}, not by this JobManager: connection lost.");
        }

        if (execution.State == ExecutionState.Canceling && !state.IsTerminal())
        {
            // A late "running" from a task that was asked to cancel while deploying: ask again, keep waiting.
            _ = execution.TaskExecutor?.CancelTaskAsync(execution.AttemptId);
            return;
        }

        LogSwitch(execution, state, failure);
        execution.State = state;
        if (state.IsTerminal())
        {
            execution.EndTime = DateTimeOffset.UtcNow;
        }

        if (_deployingSince is not null)
        {
            if (state is ExecutionState.Failed or ExecutionState.Canceled)
            {
                EndDeploymentSpan($"{execution.Vertex.Name} {state.ToString().ToUpperInvariant()} before every subtask ran: {failure?.Message}");
            }
            else if (_graph.CurrentExecutions.All(e => e.State is ExecutionState.Running or ExecutionState.Finished))
            {
                EndDeploymentSpan(null);
            }
        }

        switch (state)
        {
            case ExecutionState.Finished:
                _checkpoints?.OnTaskFinished(execution.AttemptId);
                break;
            case ExecutionState.Failed:
                execution.Failure = failure;
                OnTaskFailure(execution, failure ?? new InvalidOperationException("Task failed without a cause."));
                break;
        }

        CheckAllTerminal();
    }

    /// <summary>Records the deployment under way (if any) as a span from <see cref="Deploy"/> until now.</summary>
    private void EndDeploymentSpan(string? error)
    {
        if (_deployingSince is not { } since)
        {
            return;
        }

        _deployingSince = null;
        Observability.RuntimeActivities.Record("deploy", since, _submission,
        [
            .. Observability.RuntimeActivities.JobTags(JobId, _job.JobName),
            new("attempt", _graph.Attempt),
            new("subtasks", _graph.CurrentExecutions.Count()),
            new(Metrics.MetricTags.CheckpointId, _restoreFrom?.CheckpointId),
        ], error);
    }

    private void OnTaskFailure(Execution execution, Exception failure)
    {
        var cause = failure is Tasks.OperatorException { InnerException: { } inner } ? inner : failure;
        // A failure from another process keeps its original type name: that is the exception users look for.
        var typeName = cause is Rpc.RemoteException remote ? remote.OriginalTypeName : cause.GetType().FullName ?? cause.GetType().Name;
        _exceptions.Add(new JobExceptionInfo(DateTimeOffset.UtcNow, execution.Vertex.Name, execution.TaskExecutor?.TaskManagerId,
            typeName, failure.Message, cause.ToString()));
        Restart(new Exception($"{execution.Vertex.Name}: {failure.Message}", cause));
    }

    /// <summary>Cancels every task, then restarts the job from the latest checkpoint or fails it, as the restart strategy says.</summary>
    private void Restart(Exception cause)
    {
        if (_adaptive is not null)
        {
            _adaptive.State.OnTaskFailure(cause);
            return;
        }

        if (_status is not (JobStatus.Running or JobStatus.Created))
        {
            return; // already failing, restarting or canceling
        }

        _checkpoints?.AbortAll($"The job is restarting: {cause.Message}");
        _failureCause ??= cause;
        var delay = _restartStrategy.OnFailure(DateTimeOffset.UtcNow);
        SwitchTo(delay is null ? JobStatus.Failing : JobStatus.Restarting, _failureCause);
        _restartDelay = delay;
        CancelAllRunning();
    }

    private TimeSpan? _restartDelay;

    private void CancelAllRunning()
    {
        foreach (var execution in _graph.CurrentExecutions)
        {
            if (execution.State.IsTerminal())
            {
                continue;
            }

            if (execution.TaskExecutor is null || execution.State is ExecutionState.Created or ExecutionState.Scheduled)
            {
                execution.State = ExecutionState.Canceled;
                execution.EndTime = DateTimeOffset.UtcNow;
                continue;
            }

            execution.State = ExecutionState.Canceling;
            var target = execution;
            var taskExecutor = execution.TaskExecutor;
            _main.OnComplete(taskExecutor.CancelTaskAsync(execution.AttemptId), error =>
            {
                if (error is IOException)
                {
                    LoseTaskManager(taskExecutor.TaskManagerId, error);
                }

                if (error is not null && !target.State.IsTerminal())
                {
                    target.State = ExecutionState.Canceled;
                    CheckAllTerminal();
                }
            });
            WatchCancellation(target);
        }
    }

    /// <summary>
    /// A task stuck in user code (blocking I/O, an endless loop) may never see its cancellation. After the timeout
    /// it is given up on (Flink's task.cancellation.timeout), so the job can still end; its thread is abandoned.
    /// </summary>
    private void WatchCancellation(Execution execution) =>
        _ = Task.Delay(_cancellationTimeout).ContinueWith(_ => _main.Execute(() =>
        {
            if (execution.State != ExecutionState.Canceling)
            {
                return;
            }

            execution.State = ExecutionState.Failed;
            execution.EndTime = DateTimeOffset.UtcNow;
            execution.Failure = new TimeoutException($"{execution.Vertex.Name} did not react to cancellation within {_cancellationTimeout.TotalSeconds:0} s; its thread was abandoned.");
            _exceptions.Add(new JobExceptionInfo(DateTimeOffset.UtcNow, execution.Vertex.Name, execution.TaskExecutor?.TaskManagerId,
                nameof(TimeoutException), execution.Failure.Message, execution.Failure.Message));
            CheckAllTerminal();
        }), TaskScheduler.Default);

    private void CheckAllTerminal()
    {
        var executions = _graph.CurrentExecutions.ToList();
        if (!executions.All(e => e.State.IsTerminal()))
        {
            return;
        }

        if (_adaptive is not null)
        {
            _adaptive.State.OnAllTasksTerminal();
            return;
        }

        switch (_status)
        {
            case JobStatus.Running when executions.All(e => e.State == ExecutionState.Finished):
                foreach (var execution in executions)
                {
                    foreach (var (name, value) in execution.Accumulators ?? new Dictionary<string, long>())
                    {
                        _accumulators[name] = _accumulators.GetValueOrDefault(name) + value;
                    }
                }

                Complete(JobStatus.Finished, null);
                break;
            case JobStatus.Failing:
                Complete(JobStatus.Failed, _failureCause);
                break;
            case JobStatus.Canceling:
                Complete(JobStatus.Canceled, null);
                break;
            case JobStatus.Restarting:
                ScheduleRestart(_restartDelay ?? TimeSpan.Zero);
                break;
        }
    }

    private void ScheduleRestart(TimeSpan delay)
    {
        _ = Task.Delay(delay).ContinueWith(_ => _main.Execute(() =>
        {
            if (_status != JobStatus.Restarting)
            {
                return;
            }

            _restarts++;
            _failureCause = null;
            _restoreFrom = _checkpoints?.Latest ?? _restoreFrom;
            if (_restoreFrom is not null)
            {
                _checkpoints?.RecordRestore(_restoreFrom);
            }

            _graph.ResetForAttempt(_graph.Attempt + 1);
            foreach (var taskExecutor in _slots.Select(s => s.TaskExecutor).Distinct())
            {
                _ = taskExecutor.ReleasePartitionsAsync(JobId, _graph.Attempt);
            }

            SwitchTo(JobStatus.Created);
            _deployed = false;
            CreateCoordinators();
            if (_status != JobStatus.Created)
            {
                return; // a coordinator failed to start
            }

            if (_slots.Count >= _job.RequiredSlots)
            {
                Deploy();
            }
            else
            {
                // Slots were lost with a TaskManager: wait for offers of enough slots elsewhere, then deploy.
                _resourceManager.DeclareResourceRequirementsAsync(new ResourceRequirements(JobId, _job.RequiredSlots), this);
            }
        }), TaskScheduler.Default);
    }

    private void Complete(JobStatus status, Exception? failure)
    {
        if (_status.IsGloballyTerminal())
        {
            return;
        }

        SwitchTo(status, failure);
        _endTime = DateTimeOffset.UtcNow;
        EndDeploymentSpan($"The job ended ({status.ToString().ToUpperInvariant()}) before every subtask ran.");
        var discarded = Task.CompletedTask;
        if (_checkpoints is { } checkpoints)
        {
            checkpoints.AbortAll($"The job is {status.ToString().ToUpperInvariant()}.");
            checkpoints.Dispose();
            if (status is JobStatus.Finished or JobStatus.Canceled)
            {
                // Kept after a failure, so the job can be started again from its last checkpoint by hand. Done before the
                // result is out: a process that exits with its job must not leave them (or their HA pointers) behind.
                discarded = checkpoints.DiscardAllAsync().ContinueWith(t =>
                {
                    if (t.IsFaulted)
                    {
                        Logger.LogWarning(t.Exception!.InnerException, "Job {JobName}: could not discard its checkpoints: {Reason}", _job.JobName, t.Exception!.InnerException!.Message);
                    }
                }, TaskScheduler.Default);
            }
        }

        foreach (var coordinator in _coordinators.Values)
        {
            coordinator.Dispose();
        }

        foreach (var (offer, taskExecutor) in _slots)
        {
            _ = taskExecutor.FreeSlotAsync(offer.AllocationId);
        }

        _slots.Clear();
        _ = _resourceManager.DeclareResourceRequirementsAsync(new ResourceRequirements(JobId, 0), this);
        var result = new JobResult(JobId, status, _endTime.Value - _startTime, new Dictionary<string, long>(_accumulators), failure);
        _ = discarded.ContinueWith(_ => _result.TrySetResult(result), TaskScheduler.Default);
    }

    /// <summary>
    /// Every change of the job's status goes through here, so that each is logged once, as Flink's "switched from state"
    /// (Information also for a failure: the job's failure is its result, the runtime goes on).
    /// </summary>
    private void SwitchTo(JobStatus status, Exception? cause = null)
    {
        if (status == _status)
        {
            return;
        }

        // Restarting is a warning: a checkpointed job restarts without limit by default, and a failure it meets on every
        // attempt would otherwise loop where an embedded program (which shows warnings only) says nothing.
        var level = status == JobStatus.Restarting ? LogLevel.Warning : LogLevel.Information;
        if (cause is null)
        {
            Logger.Log(level, "Job {JobName} ({JobId}) switched from state {PreviousStatus} to {Status}.",
                _job.JobName, JobIds.Format(JobId), _status.ToFlinkName(), status.ToFlinkName());
        }
        else
        {
            Logger.Log(level, cause, "Job {JobName} ({JobId}) switched from state {PreviousStatus} to {Status}: {Reason}",
                _job.JobName, JobIds.Format(JobId), _status.ToFlinkName(), status.ToFlinkName(), cause.Message);
        }

        _status = status;
    }

    /// <summary>Flink logs these at INFO; with many subtasks that buries the job's own lines, so only a failure is Information.</summary>
    private void LogSwitch(Execution execution, ExecutionState state, Exception? failure)
    {
        if (failure is null)
        {
            Logger.LogDebug("Job {JobName}: {Task} switched from {PreviousState} to {State}.",
                _job.JobName, execution.Vertex.Name, execution.State.ToFlinkName(), state.ToFlinkName());
        }
        else
        {
            Logger.Log(state == ExecutionState.Failed ? LogLevel.Information : LogLevel.Debug, failure, "Job {JobName}: {Task} switched from {PreviousState} to {State}: {Reason}",
                _job.JobName, execution.Vertex.Name, execution.State.ToFlinkName(), state.ToFlinkName(), failure.Message);
        }
    }

    private void FailGlobally(Exception error)
    {
        if (_adaptive is not null)
        {
            if (_adaptive.State is not (Scheduler.Adaptive.Finished or Scheduler.Adaptive.Failing))
            {
                _adaptive.TransitionTo(new Scheduler.Adaptive.Failing(_adaptive, error));
            }

            return;
        }

        _failureCause ??= error;
        if (!_status.IsGloballyTerminal())
        {
            SwitchTo(JobStatus.Failing, _failureCause);
            CancelAllRunning();
            CheckAllTerminal();
        }
    }

    public Task SendOperatorEventToCoordinatorAsync(Guid executionAttemptId, string operatorId, OperatorEvent operatorEvent) => _main.CallAsync(() =>
    {
        if (_graph.FindCurrent(executionAttemptId) is { } execution && _coordinators.TryGetValue(operatorId, out var coordinator))
        {
            RunCoordinator(execution.Vertex.JobVertex.Head.Name, () => coordinator.HandleEventFromOperator(execution.Vertex.SubtaskIndex, operatorEvent));
        }
    });

    /// <summary>A failing coordinator (e.g. a split enumerator that throws) fails the job, as in Flink; never silently.</summary>
    private void RunCoordinator(string operatorName, Action call)
    {
        try
        {
            call();
        }
        catch (Exception e)
        {
            _exceptions.Add(new JobExceptionInfo(DateTimeOffset.UtcNow, $"{operatorName} (coordinator)", null, e.GetType().FullName ?? e.GetType().Name, e.Message, e.ToString()));
            FailGlobally(new Exception($"The coordinator of '{operatorName}' failed: {e.Message}", e));
        }
    }

    private void SendEventToSubtask(string vertexId, string operatorId, int subtask, OperatorEvent operatorEvent)
    {
        var execution = _graph.Vertices[vertexId][subtask].Current;
        if (execution.TaskExecutor is { } taskExecutor && !execution.State.IsTerminal())
        {
            _main.OnComplete(taskExecutor.SendOperatorEventAsync(execution.AttemptId, execution.NextMessageSequence++, operatorId, operatorEvent), error =>
            {
                if (error is not null)
                {
                    OnExecutionStateChanged(execution, ExecutionState.Failed, error);
                }
            });
        }
    }

    public Task CancelAsync() => _main.CallAsync(() =>
    {
        if (_status.IsGloballyTerminal() || _status == JobStatus.Canceling)
        {
            return;
        }

        if (_adaptive is not null)
        {
            _checkpoints?.AbortAll("The job is being canceled.");
            _adaptive.State.Cancel();
            return;
        }

        SwitchTo(JobStatus.Canceling);
        _checkpoints?.AbortAll("The job is being canceled.");
        CancelAllRunning();
        CheckAllTerminal();
    });

    public Task ReleaseTaskManagerAsync(string taskManagerId) => _main.CallAsync(() =>
    {
        if (!_slots.Any(s => s.TaskExecutor.TaskManagerId == taskManagerId))
        {
            return;
        }

        var busy = _graph.CurrentExecutions.Any(e => e.TaskExecutor?.TaskManagerId == taskManagerId && !e.State.IsTerminal());
        if (_adaptive is null)
        {
            // A fixed-parallelism job cannot do without the slots: it fails over (from its latest checkpoint) and waits for others.
            LoseTaskManager(taskManagerId, new IOException($"TaskManager {taskManagerId} is leaving the cluster."));
            return;
        }

        _leaving.Add(taskManagerId);
        if (busy && _adaptive.State is Scheduler.Adaptive.Executing)
        {
            _adaptive.State.OnTaskManagerLeaving(taskManagerId);
        }
        else if (!busy || _adaptive.State is not Scheduler.Adaptive.StopWithSavepoint)
        {
            // Nothing of the job runs there (or it is being redeployed anyway): it can go now.
            ReleaseLeavingTaskManagers();
        }
    });

    /// <summary>The most slots the job can use: its widest vertex at full parallelism.</summary>
    private int MaxUsefulSlots => _job.Vertices.Max(v => v.ParallelismCap);

    private void ReleaseLeavingTaskManagers()
    {
        foreach (var (offer, taskExecutor) in _slots.Where(s => _leaving.Contains(s.TaskExecutor.TaskManagerId)).ToList())
        {
            _ = taskExecutor.FreeSlotAsync(offer.AllocationId);
        }

        _slots.RemoveAll(s => _leaving.Contains(s.TaskExecutor.TaskManagerId));
        _leaving.Clear();
    }

    /// <summary>Reactive mode's (re)deployment: the graph at a new parallelism, a new attempt, restoring a checkpoint or savepoint.</summary>
    private void DeployRescaled(IReadOnlyDictionary<string, int> parallelism, CompletedCheckpoint? restore)
    {
        // The graph may be shared with this process's own TaskManager, which resolves deployments under the same lock.
        lock (_job)
        {
            _job.Rescale(parallelism);
        }

        var attempt = _graph.Attempt + 1;
        _graph = new ExecutionGraph(_job);
        _graph.ResetForAttempt(attempt);
        foreach (var taskExecutor in _slots.Select(s => s.TaskExecutor).Distinct())
        {
            _ = taskExecutor.ReleasePartitionsAsync(JobId, attempt);
        }

        _restoreFrom = restore;
        if (restore is not null)
        {
            _checkpoints?.RecordRestore(restore);
        }

        _failureCause = null;
        SwitchTo(JobStatus.Created);
        _deployed = false;
        CreateCoordinators();
        if (_status == JobStatus.Created)
        {
            Deploy();
        }
    }

    public Task AcknowledgeCheckpointAsync(Guid executionAttemptId, long checkpointId, TaskStateSnapshot state) =>
        _main.CallAsync(() => _checkpoints?.Acknowledge(executionAttemptId, checkpointId, state));

    public Task DeclineCheckpointAsync(Guid executionAttemptId, long checkpointId, string reason) =>
        _main.CallAsync(() => _checkpoints?.Decline(executionAttemptId, checkpointId, reason));

    public async Task<string> TriggerSavepointAsync(string? targetDirectory, bool terminate)
    {
        var savepoint = await _main.CallAsync(() => _checkpoints is null
            ? throw new CheckpointException("This job does not checkpoint: enable checkpointing (EnableCheckpointing, --checkpointing MS) to take savepoints.")
            : _checkpoints.TriggerAsync(terminate ? CheckpointKind.SavepointTerminate : CheckpointKind.Savepoint, targetDirectory)).ConfigureAwait(false);
        return (await savepoint.ConfigureAwait(false)).Location;
    }

    public Task<JobDetails> RequestJobDetailsAsync() => _main.CallAsync(CreateDetails);

    public Task DisconnectTaskManagerAsync(string taskManagerId, Exception cause) => _main.CallAsync(() => LoseTaskManager(taskManagerId, cause));

    /// <summary>
    /// Forgets a dead TaskManager's slots and fails its subtasks with the cause, which restarts (or fails) the job;
    /// a restart then waits for enough slots elsewhere. Reached from the ResourceManager's failure detector or, at once,
    /// from a call to that TaskManager that failed with a lost connection.
    /// </summary>
    private void LoseTaskManager(string taskManagerId, Exception cause)
    {
        var lost = _slots.Where(s => s.TaskExecutor.TaskManagerId == taskManagerId).ToList();
        _slots.RemoveAll(s => s.TaskExecutor.TaskManagerId == taskManagerId);
        foreach (var execution in _graph.CurrentExecutions.Where(e => e.TaskExecutor?.TaskManagerId == taskManagerId && !e.State.IsTerminal()).ToList())
        {
            // Declared dead is not always dead (a heartbeat can time out under load): stop its work anyway, so a
            // restarted attempt never runs next to the old one.
            _ = execution.TaskExecutor!.CancelTaskAsync(execution.AttemptId);
            OnExecutionStateChanged(execution, ExecutionState.Failed, cause);
        }

        foreach (var (offer, taskExecutor) in lost)
        {
            _ = taskExecutor.FreeSlotAsync(offer.AllocationId);
        }
    }

    private JobDetails CreateDetails()
    {
        var vertices = _job.Vertices.Select(v => new VertexDetails(
            v.Id,
            v.Name,
            v.Parallelism,
            v.MaxParallelism,
            _graph.Vertices[v.Id].Select(ev => new SubtaskDetails(ev.SubtaskIndex, ev.Current.AttemptNumber, ev.Current.State,
                ev.Current.TaskExecutor?.TaskManagerId, ev.Current.StartTime, ev.Current.EndTime, ev.Current.Metrics)).ToList(),
            v.Chain.Select(n => n.Name).ToList(),
            v.Inputs.Select(e => new VertexInput(e.Source.Producer.Id, e.ShipStrategy)).ToList())).ToList();
        return new JobDetails(JobId, _job.JobName, _status, _job.RuntimeMode.ToString().ToUpperInvariant(), _startTime, _endTime, vertices,
            _exceptions.ToList(), _restarts, _job.RequiredSlots, _slots.Count, _checkpoints?.Stats, _adaptive?.Rescales.ToList());
    }

    public async ValueTask DisposeAsync()
    {
        _checkpoints?.Dispose();
        await _main.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The adaptive scheduler's view of this JobMaster; every call comes on the main thread.</summary>
    private sealed class AdaptiveContext(JobMaster owner) : Scheduler.Adaptive.IAdaptiveSchedulerContext
    {
        public JobGraph Job => owner._job;

        public int AvailableSlots => owner._slots.Count(s => !owner._leaving.Contains(s.TaskExecutor.TaskManagerId));

        public bool HasLeavingTaskManagers => owner._leaving.Count > 0;

        public void DeclareUnboundedResources() =>
            _ = owner._resourceManager.DeclareResourceRequirementsAsync(new ResourceRequirements(owner.JobId, owner.MaxUsefulSlots), owner);

        public void Deploy(IReadOnlyDictionary<string, int> parallelism, CompletedCheckpoint? restore) => owner.DeployRescaled(parallelism, restore);

        public bool AllTasksTerminal => owner._graph.CurrentExecutions.All(e => e.State.IsTerminal());

        public bool AllTasksFinished => owner._graph.CurrentExecutions.All(e => e.State == ExecutionState.Finished);

        public void CancelAllTasks()
        {
            owner._checkpoints?.AbortAll("The job's tasks are being canceled.");
            owner.CancelAllRunning();
        }

        public Task<CompletedCheckpoint> TriggerStopWithSavepointAsync() =>
            owner._checkpoints?.TriggerAsync(CheckpointKind.SavepointTerminate, targetDirectory: null, ownedByJob: true)
            ?? Task.FromException<CompletedCheckpoint>(new CheckpointException("Reactive mode needs checkpointing."));

        public CompletedCheckpoint? LatestRestorePoint => owner._checkpoints?.Latest ?? owner._restoreFrom;

        public TimeSpan? RestartDelayAfter(Exception failure)
        {
            owner._restarts++;
            return owner._restartStrategy.OnFailure(DateTimeOffset.UtcNow);
        }

        public void ReleaseLeavingTaskManagers() => owner.ReleaseLeavingTaskManagers();

        public void SetStatus(JobStatus status) => owner.SwitchTo(status);

        public void Complete(JobStatus status, Exception? failure)
        {
            if (status == JobStatus.Finished)
            {
                foreach (var execution in owner._graph.CurrentExecutions)
                {
                    foreach (var (name, value) in execution.Accumulators ?? new Dictionary<string, long>())
                    {
                        owner._accumulators[name] = owner._accumulators.GetValueOrDefault(name) + value;
                    }
                }
            }

            owner.Complete(status, failure);
        }

        public void RunLater(TimeSpan delay, Action action) =>
            _ = Task.Delay(delay).ContinueWith(_ => owner._main.Execute(action), TaskScheduler.Default);
    }

    /// <summary>The checkpoint coordinator's view of this JobMaster; every call comes on the main thread.</summary>
    private sealed class CheckpointHost(JobMaster owner) : ICheckpointCoordinatorHost
    {
        public bool IsRunning => owner._status == JobStatus.Running && owner._deployed;

        public IEnumerable<Execution> CurrentExecutions => owner._graph.CurrentExecutions;

        public IReadOnlyDictionary<string, IOperatorCoordinator> OperatorCoordinators => owner._coordinators;

        public void TriggerTask(Execution execution, CheckpointBarrier barrier)
        {
            if (execution.TaskExecutor is { } taskExecutor)
            {
                owner._main.OnComplete(taskExecutor.TriggerCheckpointAsync(execution.AttemptId, execution.NextMessageSequence++, barrier), error =>
                {
                    if (error is not null)
                    {
                        owner._checkpoints?.Decline(execution.AttemptId, barrier.CheckpointId, $"the trigger did not reach {execution.Vertex.Name}: {error.Message}",
                            countsAsFailure: false);
                        // Its message sequence now has a gap: everything after would wait for the lost number forever.
                        owner.OnExecutionStateChanged(execution, ExecutionState.Failed, error);
                    }
                });
            }
        }

        public void NotifyCheckpointComplete(Execution execution, long checkpointId)
        {
            if (execution.TaskExecutor is { } taskExecutor)
            {
                // A task that never hears of it would wait for its final checkpoint (or its stop) forever.
                owner._main.OnComplete(taskExecutor.NotifyCheckpointCompleteAsync(execution.AttemptId, checkpointId), error =>
                {
                    if (error is not null)
                    {
                        owner.OnExecutionStateChanged(execution, ExecutionState.Failed, error);
                    }
                });
            }
        }

        public void NotifyCheckpointAborted(Execution execution, long checkpointId) =>
            _ = execution.TaskExecutor?.NotifyCheckpointAbortedAsync(execution.AttemptId, checkpointId);

        public void FailJob(Exception cause)
        {
            owner._exceptions.Add(new JobExceptionInfo(DateTimeOffset.UtcNow, "(checkpointing)", null, cause.GetType().FullName ?? "", cause.Message, cause.ToString()));
            owner.Restart(cause);
        }
    }

    private sealed class CoordinatorContext(JobMaster owner, string vertexId, string operatorId) : IOperatorCoordinatorContext
    {
        // Coordinators run inside JobMaster work items, so this is already on the main thread.
        public void SendEventToOperator(int subtask, OperatorEvent operatorEvent) => owner.SendEventToSubtask(vertexId, operatorId, subtask, operatorEvent);

        public void RunInCoordinatorThread(Action action) =>
            owner._main.Execute(() => owner.RunCoordinator(owner._job.Vertices.First(v => v.Id == vertexId).Head.Name, action));
    }
}
