using Rill.Metrics;

namespace Rill.Runtime.Messages;

/// <summary>A snapshot of one subtask attempt for status queries.</summary>
public sealed record SubtaskDetails(int Subtask, int Attempt, ExecutionState State, string? TaskManagerId, DateTimeOffset? StartTime, DateTimeOffset? EndTime,
    TaskIOMetricsSnapshot? Metrics);

public sealed record VertexDetails(string Id, string Name, int Parallelism, int MaxParallelism, IReadOnlyList<SubtaskDetails> Subtasks,
    IReadOnlyList<string> Operators, IReadOnlyList<VertexInput> Inputs);

public sealed record VertexInput(string SourceVertexId, string ShipStrategy);

public sealed record JobExceptionInfo(DateTimeOffset Time, string TaskName, string? TaskManagerId, string ExceptionType, string Message, string StackTrace);

public sealed record JobDetails(Guid JobId, string Name, JobStatus Status, string RuntimeMode, DateTimeOffset StartTime, DateTimeOffset? EndTime,
    IReadOnlyList<VertexDetails> Vertices, IReadOnlyList<JobExceptionInfo> Exceptions, int Restarts, int RequiredSlots = 0, int AcquiredSlots = 0,
    CheckpointStats? Checkpoints = null, IReadOnlyList<RescaleEntry>? Rescales = null);

/// <summary>The final outcome of a job, as the Dispatcher keeps it after the JobMaster is gone.</summary>
public sealed record JobResult(Guid JobId, JobStatus Status, TimeSpan NetRuntime, IReadOnlyDictionary<string, long> Accumulators, Exception? Failure);
