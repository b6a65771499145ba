using Rill.Graph;
using Rill.Runtime.Messages;

namespace Rill.Runtime.Dispatcher;

public sealed record JobOverview(Guid JobId, string Name, JobStatus Status, DateTimeOffset StartTime, DateTimeOffset? EndTime);

/// <summary>What clients (the REST API, the embedded executor) may ask of the Dispatcher.</summary>
public interface IDispatcherGateway
{
    Task<Guid> SubmitJobAsync(JobGraph job);

    /// <summary>Completes when the job reaches a terminal state.</summary>
    Task<JobResult> RequestJobResultAsync(Guid jobId);

    Task<IReadOnlyList<JobOverview>> ListJobsAsync();

    /// <summary>Null for an unknown job.</summary>
    Task<JobDetails?> RequestJobDetailsAsync(Guid jobId);

    /// <summary>False for an unknown job.</summary>
    Task<bool> CancelJobAsync(Guid jobId);
}
