using Microsoft.Extensions.Logging;
using Rill.Logging;
using Rill.Network;
using Rill.Runtime.JobMaster;
using Rill.Runtime.Messages;
using Rill.Runtime.ResourceManager;
using Rill.Runtime.Rpc;
using Rill.Sources;
using Rill.Tasks;

namespace Rill.Runtime.TaskExecutor;

/// <summary>
/// A TaskManager: registers its slots with the ResourceManager, offers allocated slots to JobMasters, and runs
/// deployed subtasks, each on its own thread, reporting every state change to the subtask's JobMaster.
/// </summary>
public sealed class TaskExecutor : ITaskExecutorGateway, IAsyncDisposable
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<TaskExecutor>();
    private IResourceManagerGateway? _resourceManager;
    private readonly ResultPartitionManager _partitions;
    private readonly IProcessingTimeService _processingTime;
    private readonly MainThreadExecutor _main;
    private readonly TaskSlot[] _slots;
    private readonly Dictionary<Guid, RunningTask> _tasks = [];
    private volatile bool _dead;

    public TaskExecutor(string id, int numberOfSlots, IResourceManagerGateway? resourceManager, ResultPartitionManager partitions, IProcessingTimeService processingTime,
        System.Net.IPEndPoint? dataAddress = null, Func<TaskManagerMetrics>? metrics = null)
    {
        _metrics = metrics;
        TaskManagerId = id;
        DataAddress = dataAddress;
        _resourceManager = resourceManager;
        _partitions = partitions;
        _processingTime = processingTime;
        _slots = Enumerable.Range(0, numberOfSlots).Select(i => new TaskSlot(new SlotId(id, i))).ToArray();
        _main = new MainThreadExecutor($"TaskExecutor {id}", e => Logger.LogError(e, "TaskExecutor {TaskManagerId}: a call on its main thread failed.", id));
        _metricsReporter = ReportMetricsAsync(_stopReporting.Token);
    }

    public string TaskManagerId { get; }

    public System.Net.IPEndPoint? DataAddress { get; }

    public int NumberOfSlots => _slots.Length;

    /// <summary>The running tasks, for tests and metrics.</summary>
    public Task<IReadOnlyList<StreamTask>> GetTasksAsync() => _main.CallAsync(() => (IReadOnlyList<StreamTask>)_tasks.Values.Select(t => t.Task).ToList());

    public Task StartAsync() => _resourceManager?.RegisterTaskExecutorAsync(this, _slots.Length) ?? Task.CompletedTask;

    /// <summary>Registers with a (new) JobManager leader's ResourceManager; the caller disconnected from the previous one.</summary>
    public async Task ConnectToResourceManagerAsync(IResourceManagerGateway resourceManager)
    {
        await resourceManager.RegisterTaskExecutorAsync(this, _slots.Length).ConfigureAwait(false);
        await CallIfAlive(() => _resourceManager = resourceManager).ConfigureAwait(false);
    }

    /// <summary>
    /// The JobManager is gone or was replaced (Flink's disconnectResourceManager/JobManager): every task stops and every
    /// slot is free again, so the next leader starts from a clean TaskManager rather than next to orphaned work.
    /// </summary>
    public Task DisconnectResourceManagerAsync(Exception cause) => CallIfAlive(() =>
    {
        if (_resourceManager is null)
        {
            return;
        }

        Logger.LogWarning(cause, "TaskExecutor {TaskManagerId}: disconnected from the JobManager ({Reason}); stopping its tasks and freeing its slots.", TaskManagerId, cause.Message);
        _resourceManager = null;
        foreach (var slot in _slots.Where(s => s.AllocationId is not null))
        {
            Free(slot);
        }
    });

    public async Task<TaskManagerMetrics?> HeartbeatAsync()
    {
        await CallIfAlive(() => { }).ConfigureAwait(false);
        return _metrics?.Invoke();
    }

    private readonly Func<TaskManagerMetrics>? _metrics;

    /// <summary>
    /// Leaves the cluster gracefully (SIGTERM): asks the ResourceManager to stop handing out this TaskManager's slots and
    /// the jobs to release them, then waits until every slot is free, or the timeout passes. True when all are free.
    /// </summary>
    public async Task<bool> LeaveAsync(TimeSpan timeout)
    {
        var resourceManager = await _main.CallAsync(() => _resourceManager).ConfigureAwait(false);
        if (resourceManager is null)
        {
            return true;
        }

        await resourceManager.RequestLeaveAsync(TaskManagerId).ConfigureAwait(false);
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (await _main.CallAsync(() => _slots.Any(s => s.AllocationId is not null)).ConfigureAwait(false))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return true;
    }

    public Task ReleasePartitionsAsync(Guid jobId, int attempt) => CallIfAlive(() => _partitions.ReleaseAttemptsBefore(jobId, attempt));

    /// <summary>
    /// Simulates the death of this TaskManager's process (as kill -9 would, for tests of the embedded cluster): from
    /// now on every call fails as a refused connection, and its tasks stop without reporting anything.
    /// </summary>
    internal void Kill()
    {
        _dead = true;
        _ = _main.CallAsync(() =>
        {
            foreach (var running in _tasks.Values)
            {
                running.CancelRequested = true;
                running.Task.Cancel();
            }
        });
    }

    /// <summary>Runs a gateway call, or fails it (as a faulted task, like a remote call) when this TaskManager is dead.</summary>
    private Task CallIfAlive(Action work) =>
        _dead ? Task.FromException(new IOException($"Connection refused: TaskManager {TaskManagerId} is gone.")) : _main.CallAsync(work);

    public Task RequestSlotAsync(SlotId slot, Guid jobId, Guid allocationId, IJobMasterGateway jobMaster) => CallIfAlive(() =>
    {
        var taskSlot = _slots[slot.SlotIndex];
        if (taskSlot.AllocationId is not null)
        {
            throw new InvalidOperationException($"Slot {slot} is already allocated.");
        }

        taskSlot.AllocationId = allocationId;
        taskSlot.JobId = jobId;
        taskSlot.JobMaster = jobMaster;
        _main.OnComplete(jobMaster.OfferSlotsAsync(this, [new SlotOffer(allocationId, slot)]), (accepted, error) =>
        {
            if (error is not null || accepted is null || accepted.Count == 0)
            {
                Free(taskSlot);
            }
        });
    });

    public Task SubmitTaskAsync(TaskDeploymentDescriptor descriptor, Guid allocationId) => CallIfAlive(() =>
    {
        var slot = _slots.FirstOrDefault(s => s.AllocationId == allocationId)
            ?? throw new InvalidOperationException($"No slot with allocation {allocationId} on {TaskManagerId}.");
        if (slot.JobId != descriptor.Job.JobId)
        {
            throw new InvalidOperationException($"Slot {slot.Id} belongs to another job.");
        }

        var jobMaster = slot.JobMaster!;
        var attemptId = descriptor.ExecutionAttemptId;
        var environment = new TaskEnvironment(_partitions, _processingTime,
            (operatorId, operatorEvent) => _ = jobMaster.SendOperatorEventToCoordinatorAsync(attemptId, operatorId, operatorEvent),
            new CheckpointResponder(jobMaster, TaskManagerId));
        var task = new StreamTask(descriptor, environment);
        var running = new RunningTask(task, slot, jobMaster);
        _tasks[attemptId] = running;
        slot.Tasks.Add(attemptId);
        var thread = new Thread(() => RunTask(running)) { IsBackground = true, Name = task.Info.TaskNameWithSubtask };
        thread.Start();
    });

    private void RunTask(RunningTask running)
    {
        var task = running.Task;
        var attemptId = task.ExecutionAttemptId;
        TaskExecutionState final;
        try
        {
            running.JobMaster.UpdateTaskExecutionStateAsync(new TaskExecutionState(attemptId, ExecutionState.Running)).Wait();
            task.Invoke();
            final = new TaskExecutionState(attemptId, ExecutionState.Finished, null, task.Accumulators.Snapshot(), task.Metrics.Snapshot());
        }
        catch (Exception e) when (running.CancelRequested)
        {
            _ = e; // a task that was asked to cancel ends CANCELED whatever its last exception was
            final = new TaskExecutionState(attemptId, ExecutionState.Canceled, null, null, task.Metrics.Snapshot());
        }
        catch (Exception e)
        {
            final = new TaskExecutionState(attemptId, ExecutionState.Failed, Unwrap(e), null, task.Metrics.Snapshot());
        }

        _main.Execute(() => _tasks.Remove(attemptId));
        if (!_dead)
        {
            _ = running.JobMaster.UpdateTaskExecutionStateAsync(final);
        }
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerException! : e;

    public Task CancelTaskAsync(Guid executionAttemptId) => CallIfAlive(() =>
    {
        if (_tasks.TryGetValue(executionAttemptId, out var running))
        {
            running.CancelRequested = true;
            running.Task.Cancel();
        }
    });

    public Task TriggerCheckpointAsync(Guid executionAttemptId, long sequence, Checkpointing.CheckpointBarrier barrier) => CallIfAlive(() =>
    {
        if (_tasks.TryGetValue(executionAttemptId, out var running))
        {
            running.Task.TriggerCheckpoint(sequence, barrier);
        }
    });

    public Task NotifyCheckpointCompleteAsync(Guid executionAttemptId, long checkpointId) => CallIfAlive(() =>
    {
        if (_tasks.TryGetValue(executionAttemptId, out var running))
        {
            running.Task.NotifyCheckpointComplete(checkpointId);
        }
    });

    public Task NotifyCheckpointAbortedAsync(Guid executionAttemptId, long checkpointId) => CallIfAlive(() =>
    {
        if (_tasks.TryGetValue(executionAttemptId, out var running))
        {
            running.Task.NotifyCheckpointAborted(checkpointId);
        }
    });

    public Task SendOperatorEventAsync(Guid executionAttemptId, long sequence, string operatorId, OperatorEvent operatorEvent) => CallIfAlive(() =>
    {
        // A task that already ended has nothing to do with the event; its end is reported separately, and
        // failing here would mask the task's real outcome.
        if (_tasks.TryGetValue(executionAttemptId, out var running))
        {
            running.Task.DeliverOperatorEvent(sequence, operatorId, operatorEvent);
        }
    });

    public Task FreeSlotAsync(Guid allocationId) => CallIfAlive(() =>
    {
        var slot = _slots.FirstOrDefault(s => s.AllocationId == allocationId);
        if (slot is not null)
        {
            Free(slot);
        }
    });

    private void Free(TaskSlot slot)
    {
        var jobId = slot.JobId;
        foreach (var attemptId in slot.Tasks)
        {
            if (_tasks.TryGetValue(attemptId, out var running))
            {
                running.CancelRequested = true;
                running.Task.Cancel();
            }
        }

        slot.AllocationId = null;
        slot.JobId = null;
        slot.JobMaster = null;
        slot.Tasks.Clear();
        if (jobId is { } job && _slots.All(s => s.JobId != job))
        {
            _partitions.ReleaseJob(job);
        }

        if (_resourceManager is { } resourceManager)
        {
            _main.OnComplete(resourceManager.NotifySlotFreedAsync(TaskManagerId, slot.Id.SlotIndex), error =>
            {
                if (error is not null)
                {
                    Logger.LogWarning(error, "TaskExecutor {TaskManagerId}: could not report slot {SlotId} free: {Reason}", TaskManagerId, slot.Id, error.Message);
                }
            });
        }
    }

    /// <summary>How often running tasks' I/O metrics go to their JobMasters (REST shows live numbers; the autoscaler reads busy time).</summary>
    public static readonly TimeSpan MetricsInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopReporting = new();
    private readonly Task _metricsReporter;

    private async Task ReportMetricsAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(MetricsInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                if (_dead)
                {
                    continue;
                }

                var running = await _main.CallAsync(() => _tasks.Values.ToList()).ConfigureAwait(false);
                foreach (var task in running)
                {
                    var snapshot = new TaskExecutionState(task.Task.ExecutionAttemptId, ExecutionState.Running, null, null, task.Task.Metrics.Snapshot());
                    _main.OnComplete(task.JobMaster.UpdateTaskExecutionStateAsync(snapshot), _ => { }); // a lost update is replaced by the next one
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // stopping
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopReporting.CancelAsync().ConfigureAwait(false);
        await _metricsReporter.ConfigureAwait(false);
        _stopReporting.Dispose();
        await _main.CallAsync(() =>
        {
            foreach (var running in _tasks.Values)
            {
                running.CancelRequested = true;
                running.Task.Cancel();
            }
        }).ConfigureAwait(false);
        await _main.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class TaskSlot(SlotId id)
    {
        public SlotId Id { get; } = id;

        public Guid? AllocationId { get; set; }

        public Guid? JobId { get; set; }

        public IJobMasterGateway? JobMaster { get; set; }

        public List<Guid> Tasks { get; } = [];
    }

    private sealed class RunningTask(StreamTask task, TaskSlot slot, IJobMasterGateway jobMaster)
    {
        public StreamTask Task { get; } = task;

        public TaskSlot Slot { get; } = slot;

        public IJobMasterGateway JobMaster { get; } = jobMaster;

        public volatile bool CancelRequested;
    }
}

/// <summary>Reports a task's checkpoint results to its JobMaster; a failed report is logged (the checkpoint then times out), never thrown at the task.</summary>
internal sealed class CheckpointResponder(IJobMasterGateway jobMaster, string taskManagerId) : Checkpointing.ICheckpointResponder
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<CheckpointResponder>();

    public void Acknowledge(Guid executionAttemptId, long checkpointId, Checkpointing.TaskStateSnapshot state) =>
        Report(jobMaster.AcknowledgeCheckpointAsync(executionAttemptId, checkpointId, state), checkpointId);

    public void Decline(Guid executionAttemptId, long checkpointId, string reason) =>
        Report(jobMaster.DeclineCheckpointAsync(executionAttemptId, checkpointId, reason), checkpointId);

    private void Report(Task call, long checkpointId) => call.ContinueWith(
        t => Logger.LogWarning(t.Exception!.InnerException, "TaskExecutor {TaskManagerId}: could not report checkpoint {CheckpointId}: {Reason}",
            taskManagerId, checkpointId, t.Exception!.InnerException!.Message),
        CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
