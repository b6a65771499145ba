using Rill.Runtime.JobMaster;
using Rill.Runtime.TaskExecutor;

namespace Rill.Runtime.ResourceManager;

/// <summary>A TaskManager as the ResourceManager lists it.</summary>
public sealed record TaskManagerInfo(string Id, int SlotsNumber, int FreeSlots, DateTimeOffset RegisteredAt,
    DateTimeOffset? LastHeartbeat = null, Messages.TaskManagerMetrics? Metrics = null);

/// <summary>
/// Declarative resource needs (Flink's FLIP-138): a job says how many slots it wants, not which. Reactive mode
/// and cluster managers plug in behind this.
/// </summary>
public sealed record ResourceRequirements(Guid JobId, int RequiredSlots);

/// <summary>What TaskManagers and JobMasters may ask of the ResourceManager.</summary>
public interface IResourceManagerGateway
{
    Task RegisterTaskExecutorAsync(ITaskExecutorGateway taskExecutor, int numberOfSlots);

    Task DeclareResourceRequirementsAsync(ResourceRequirements requirements, IJobMasterGateway jobMaster);

    /// <summary>The slot is free again (the job released it).</summary>
    Task NotifySlotFreedAsync(string taskManagerId, int slotIndex);

    Task<IReadOnlyList<TaskManagerInfo>> RequestTaskManagersAsync();

    /// <summary>
    /// The TaskManager is shutting down (SIGTERM: a Kubernetes scale-down): none of its slots is handed out any more, and
    /// the jobs using them are asked to release them (a reactive job stops with a savepoint and rescales without it).
    /// </summary>
    Task RequestLeaveAsync(string taskManagerId);
}
