using Microsoft.Extensions.Logging;
using Rill.Logging;
using Rill.Runtime.JobMaster;
using Rill.Runtime.Messages;
using Rill.Runtime.Rpc;
using Rill.Runtime.TaskExecutor;

namespace Rill.Runtime.ResourceManager;

/// <summary>
/// Knows every TaskManager and its slots, and matches jobs' declared slot needs with free slots. It only
/// assigns; the TaskManager then offers the slot to the job's JobMaster (Flink's declarative slot protocol).
/// </summary>
public sealed class ResourceManager : IResourceManagerGateway, IAsyncDisposable
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<ResourceManager>();
    private readonly MainThreadExecutor _main;
    private readonly Dictionary<string, RegisteredTaskManager> _taskManagers = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, JobNeeds> _jobs = [];

    private readonly TimeSpan _heartbeatInterval;
    private readonly TimeSpan _heartbeatTimeout;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _monitor;
    private readonly IDisposable _metrics;
    // Copies of the slot counts for the meter's gauges, which must not wait for the main thread.
    private int _slotsTotal;
    private int _slotsAvailable;
    private int _registeredTaskManagers;

    public ResourceManager(TimeSpan heartbeatInterval, TimeSpan heartbeatTimeout)
    {
        _main = new MainThreadExecutor("ResourceManager", e => Logger.LogError(e, "ResourceManager: a call on its main thread failed."));
        _heartbeatInterval = heartbeatInterval;
        _heartbeatTimeout = heartbeatTimeout;
        _monitor = MonitorAsync();
        _metrics = Observability.RuntimeMetrics.ResourceManagers.Add(this);
    }

    /// <summary>Flink's taskSlotsTotal: slots of every registered TaskManager (any thread).</summary>
    internal int SlotsTotal => Volatile.Read(ref _slotsTotal);

    /// <summary>Flink's taskSlotsAvailable: slots no job holds, leaving TaskManagers' not counted (any thread).</summary>
    internal int SlotsAvailable => Volatile.Read(ref _slotsAvailable);

    internal int RegisteredTaskManagers => Volatile.Read(ref _registeredTaskManagers);

    /// <summary>Main thread, after every change of registrations or slot assignments.</summary>
    private void PublishSlotCounts()
    {
        Volatile.Write(ref _slotsTotal, _taskManagers.Values.Sum(t => t.SlotJobs.Length));
        Volatile.Write(ref _slotsAvailable, _taskManagers.Values.Where(t => !t.Leaving).Sum(t => t.SlotJobs.Count(j => j is null)));
        Volatile.Write(ref _registeredTaskManagers, _taskManagers.Count);
    }

    /// <summary>
    /// The failure detector: every interval each TaskManager must answer a heartbeat within the timeout. A refused
    /// connection counts at once ("connection lost"); silence counts after the timeout.
    /// </summary>
    private async Task MonitorAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_heartbeatInterval, _stop.Token).ConfigureAwait(false);
                var targets = await _main.CallAsync(() => _taskManagers.Values.Select(t => t.Gateway).ToList()).ConfigureAwait(false);
                foreach (var target in targets)
                {
                    _ = CheckHeartbeatAsync(target);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task CheckHeartbeatAsync(ITaskExecutorGateway taskExecutor)
    {
        Exception cause;
        try
        {
            var metrics = await taskExecutor.HeartbeatAsync().WaitAsync(_heartbeatTimeout, _stop.Token).ConfigureAwait(false);
            await _main.CallAsync(() =>
            {
                if (_taskManagers.TryGetValue(taskExecutor.TaskManagerId, out var registered) && ReferenceEquals(registered.Gateway, taskExecutor))
                {
                    registered.LastHeartbeat = DateTimeOffset.UtcNow;
                    registered.Metrics = metrics;
                }
            }).ConfigureAwait(false);
            return;
        }
        catch (TimeoutException)
        {
            cause = new TimeoutException($"Heartbeat of TaskManager {taskExecutor.TaskManagerId} timed out after {_heartbeatTimeout.TotalSeconds:0.#} s.");
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e)
        {
            cause = new IOException($"Connection lost to TaskManager {taskExecutor.TaskManagerId}: {e.Message}", e);
        }

        try
        {
            await _main.CallAsync(() => RemoveTaskManager(taskExecutor, cause)).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // shutting down
        }
    }

    private bool IsCurrent(RegisteredTaskManager taskManager) =>
        _taskManagers.TryGetValue(taskManager.Gateway.TaskManagerId, out var current) && ReferenceEquals(current, taskManager);

    /// <summary>A TaskManager is gone: its slots no longer count, and every job that had slots there is told.</summary>
    private void RemoveTaskManager(ITaskExecutorGateway gateway, Exception cause)
    {
        // By instance, not id: a late failed heartbeat must not remove a TaskManager that registered again under the same id.
        if (!_taskManagers.TryGetValue(gateway.TaskManagerId, out var taskManager) || !ReferenceEquals(taskManager.Gateway, gateway))
        {
            return;
        }

        var taskManagerId = gateway.TaskManagerId;
        _taskManagers.Remove(taskManagerId);
        // One that asked to leave is expected to go; any other loss is what the jobs on it now recover from.
        Logger.Log(taskManager.Leaving ? LogLevel.Information : LogLevel.Warning, cause,
            "ResourceManager: TaskManager {TaskManagerId} is gone ({Reason}); its {Slots} slots no longer count.", taskManagerId, cause.Message, taskManager.SlotJobs.Length);

        foreach (var jobId in taskManager.SlotJobs.OfType<Guid>().Distinct())
        {
            if (_jobs.TryGetValue(jobId, out var needs))
            {
                needs.Allocated -= taskManager.SlotJobs.Count(j => j == jobId);
                _ = needs.JobMaster.DisconnectTaskManagerAsync(taskManagerId, cause);
            }
        }

        AllocateFreeSlots();
    }

    /// <summary>The registered TaskManager with that id, or null.</summary>
    internal Task<ITaskExecutorGateway?> TryGetTaskExecutorAsync(string taskManagerId) =>
        _main.CallAsync(() => _taskManagers.TryGetValue(taskManagerId, out var t) ? t.Gateway : null);

    internal Task<IReadOnlyList<ITaskExecutorGateway>> GetTaskExecutorsAsync() =>
        _main.CallAsync(() => (IReadOnlyList<ITaskExecutorGateway>)_taskManagers.Values.Select(t => t.Gateway).ToList());

    /// <summary>The connection to that registration closed: the TaskManager is gone now, not after a heartbeat timeout.</summary>
    internal Task ReportTaskManagerLostAsync(ITaskExecutorGateway taskExecutor, Exception cause) =>
        _main.CallAsync(() => RemoveTaskManager(taskExecutor, cause));

    public Task RegisterTaskExecutorAsync(ITaskExecutorGateway taskExecutor, int numberOfSlots) => _main.CallAsync(() =>
    {
        if (_taskManagers.TryGetValue(taskExecutor.TaskManagerId, out var previous) && !ReferenceEquals(previous.Gateway, taskExecutor))
        {
            // The same TaskManager registers again (it reconnected): whatever ran on its old registration is gone.
            RemoveTaskManager(previous.Gateway, new IOException($"TaskManager {taskExecutor.TaskManagerId} registered again; its earlier slots are lost."));
        }

        _taskManagers[taskExecutor.TaskManagerId] = new RegisteredTaskManager(taskExecutor, new Guid?[numberOfSlots], DateTimeOffset.UtcNow);
        Logger.LogInformation("ResourceManager: TaskManager {TaskManagerId} registered with {Slots} slots.", taskExecutor.TaskManagerId, numberOfSlots);
        AllocateFreeSlots();
    });

    public Task DeclareResourceRequirementsAsync(ResourceRequirements requirements, IJobMasterGateway jobMaster) => _main.CallAsync(() =>
    {
        if (requirements.RequiredSlots <= 0)
        {
            _jobs.Remove(requirements.JobId);
            return;
        }

        if (_jobs.TryGetValue(requirements.JobId, out var existing))
        {
            existing.Required = requirements.RequiredSlots;
        }
        else
        {
            _jobs[requirements.JobId] = new JobNeeds(jobMaster) { Required = requirements.RequiredSlots };
        }

        AllocateFreeSlots();
    });

    public Task NotifySlotFreedAsync(string taskManagerId, int slotIndex) => _main.CallAsync(() =>
    {
        if (!_taskManagers.TryGetValue(taskManagerId, out var taskManager))
        {
            return;
        }

        if (taskManager.SlotJobs[slotIndex] is { } jobId && _jobs.TryGetValue(jobId, out var needs))
        {
            needs.Allocated--;
        }

        taskManager.SlotJobs[slotIndex] = null;
        AllocateFreeSlots();
    });

    public Task<IReadOnlyList<TaskManagerInfo>> RequestTaskManagersAsync() => _main.CallAsync(() =>
        (IReadOnlyList<TaskManagerInfo>)_taskManagers.Values
            .Select(t => new TaskManagerInfo(t.Gateway.TaskManagerId, t.SlotJobs.Length, t.SlotJobs.Count(j => j is null), t.RegisteredAt, t.LastHeartbeat, t.Metrics))
            .ToList());

    public Task RequestLeaveAsync(string taskManagerId) => _main.CallAsync(() =>
    {
        if (!_taskManagers.TryGetValue(taskManagerId, out var taskManager) || taskManager.Leaving)
        {
            return;
        }

        taskManager.Leaving = true;
        PublishSlotCounts();
        Logger.LogInformation("ResourceManager: TaskManager {TaskManagerId} asked to leave; its slots are no longer offered.", taskManagerId);
        foreach (var jobId in taskManager.SlotJobs.OfType<Guid>().Distinct())
        {
            if (_jobs.TryGetValue(jobId, out var needs))
            {
                _ = needs.JobMaster.ReleaseTaskManagerAsync(taskManagerId);
            }
        }
    });

    private void AllocateFreeSlots()
    {
        foreach (var (jobId, needs) in _jobs)
        {
            while (needs.Allocated < needs.Required && FindFreeSlot() is { } free)
            {
                var (taskManager, slotIndex) = free;
                taskManager.SlotJobs[slotIndex] = jobId;
                needs.Allocated++;
                var slotId = new SlotId(taskManager.Gateway.TaskManagerId, slotIndex);
                _main.OnComplete(taskManager.Gateway.RequestSlotAsync(slotId, jobId, Guid.NewGuid(), needs.JobMaster), error =>
                {
                    // Only if that very registration is still known: a removed one already gave its slots back.
                    if (error is not null && IsCurrent(taskManager) && taskManager.SlotJobs[slotIndex] == jobId)
                    {
                        taskManager.SlotJobs[slotIndex] = null;
                        needs.Allocated--;
                        PublishSlotCounts();
                    }
                });
            }
        }

        PublishSlotCounts();
    }

    /// <summary>Spreads a job over TaskManagers: the one with the most free slots first.</summary>
    private (RegisteredTaskManager, int)? FindFreeSlot()
    {
        var best = _taskManagers.Values
            .Select(t => (TaskManager: t, Free: t.SlotJobs.Count(j => j is null)))
            .Where(t => t.Free > 0 && !t.TaskManager.Leaving)
            .OrderByDescending(t => t.Free)
            .ThenBy(t => t.TaskManager.Gateway.TaskManagerId, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.TaskManager is null ? null : (best.TaskManager, Array.FindIndex(best.TaskManager.SlotJobs, j => j is null));
    }

    public async ValueTask DisposeAsync()
    {
        _metrics.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _monitor.ConfigureAwait(false);
        await _main.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed record RegisteredTaskManager(ITaskExecutorGateway Gateway, Guid?[] SlotJobs, DateTimeOffset RegisteredAt)
    {
        public DateTimeOffset? LastHeartbeat { get; set; }

        public Messages.TaskManagerMetrics? Metrics { get; set; }

        /// <summary>Asked to leave: its slots are not handed out any more.</summary>
        public bool Leaving { get; set; }
    }

    private sealed class JobNeeds(IJobMasterGateway jobMaster)
    {
        public IJobMasterGateway JobMaster { get; } = jobMaster;

        public int Required { get; set; }

        public int Allocated { get; set; }
    }
}
