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
    private readonly MainThreadExecutor _main;
    private readonly Dictionary<string, RegisteredTaskManager> _taskManagers = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, JobNeeds> _jobs = [];

    public ResourceManager() => _main = new MainThreadExecutor("ResourceManager", e => Console.Error.WriteLine($"ResourceManager: {e}"));

    public Task RegisterTaskExecutorAsync(ITaskExecutorGateway taskExecutor, int numberOfSlots) => _main.CallAsync(() =>
    {
        _taskManagers[taskExecutor.TaskManagerId] = new RegisteredTaskManager(taskExecutor, new Guid?[numberOfSlots], DateTimeOffset.UtcNow);
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
            .Select(t => new TaskManagerInfo(t.Gateway.TaskManagerId, t.SlotJobs.Length, t.SlotJobs.Count(j => j is null), t.RegisteredAt))
            .ToList());

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
                    if (error is not null && taskManager.SlotJobs[slotIndex] == jobId)
                    {
                        taskManager.SlotJobs[slotIndex] = null;
                        needs.Allocated--;
                    }
                });
            }
        }
    }

    /// <summary>Spreads a job over TaskManagers: the one with the most free slots first.</summary>
    private (RegisteredTaskManager, int)? FindFreeSlot()
    {
        var best = _taskManagers.Values
            .Select(t => (TaskManager: t, Free: t.SlotJobs.Count(j => j is null)))
            .Where(t => t.Free > 0)
            .OrderByDescending(t => t.Free)
            .ThenBy(t => t.TaskManager.Gateway.TaskManagerId, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.TaskManager is null ? null : (best.TaskManager, Array.FindIndex(best.TaskManager.SlotJobs, j => j is null));
    }

    public ValueTask DisposeAsync() => _main.DisposeAsync();

    private sealed record RegisteredTaskManager(ITaskExecutorGateway Gateway, Guid?[] SlotJobs, DateTimeOffset RegisteredAt);

    private sealed class JobNeeds(IJobMasterGateway jobMaster)
    {
        public IJobMasterGateway JobMaster { get; } = jobMaster;

        public int Required { get; set; }

        public int Allocated { get; set; }
    }
}
