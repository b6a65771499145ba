using Rill.Runtime.Messages;

namespace Rill.Runtime.Rest;

/// <summary>Renders job details in the shapes of Flink's REST responses (kebab-case keys, epoch-millisecond times).</summary>
internal static class JobDetailsBody
{
    public static Dictionary<string, object?> Create(JobDetails details)
    {
        var now = DateTimeOffset.UtcNow;
        return new Dictionary<string, object?>
        {
            ["jid"] = JobIds.Format(details.JobId),
            ["name"] = details.Name,
            ["state"] = details.Status.ToFlinkName(),
            ["job-type"] = details.RuntimeMode,
            ["start-time"] = details.StartTime.ToUnixTimeMilliseconds(),
            ["end-time"] = details.EndTime?.ToUnixTimeMilliseconds() ?? -1,
            ["duration"] = (long)((details.EndTime ?? now) - details.StartTime).TotalMilliseconds,
            ["now"] = now.ToUnixTimeMilliseconds(),
            ["restarts"] = details.Restarts,
            // Reactive mode only (null otherwise): each rescale, why, and how long processing paused.
            ["scheduler"] = details.Rescales is null ? "default" : "reactive",
            ["parallelism"] = details.Vertices.Count == 0 ? 0 : details.Vertices.Max(v => v.Parallelism),
            ["rescales"] = details.Rescales?.Select(r => new Dictionary<string, object?>
            {
                ["time"] = r.Time.ToUnixTimeMilliseconds(),
                ["cause"] = r.Cause,
                ["from"] = r.From,
                ["to"] = r.To,
                ["pauseMs"] = r.PauseMs,
            }).ToList(),
            // Slot sharing: a job needs as many slots as its widest vertex; until it has them it waits in CREATED.
            ["resources"] = new Dictionary<string, object?>
            {
                ["required-slots"] = details.RequiredSlots,
                ["acquired-slots"] = details.AcquiredSlots,
                ["waiting-for-resources"] = details.Status == JobStatus.Created && details.AcquiredSlots < details.RequiredSlots,
            },
            ["vertices"] = details.Vertices.Select(v => new Dictionary<string, object?>
            {
                ["id"] = v.Id,
                ["name"] = v.Name,
                ["parallelism"] = v.Parallelism,
                ["maxParallelism"] = v.MaxParallelism,
                ["status"] = VertexStatus(v).ToFlinkName(),
                ["tasks"] = Enum.GetValues<ExecutionState>().ToDictionary(s => s.ToFlinkName(), s => v.Subtasks.Count(t => t.State == s)),
                ["subtasks"] = v.Subtasks.Select(s => new Dictionary<string, object?>
                {
                    ["subtask"] = s.Subtask,
                    ["status"] = s.State.ToFlinkName(),
                    ["attempt"] = s.Attempt,
                    ["taskmanager-id"] = s.TaskManagerId,
                    ["start-time"] = s.StartTime?.ToUnixTimeMilliseconds() ?? -1,
                    ["end-time"] = s.EndTime?.ToUnixTimeMilliseconds() ?? -1,
                }),
                ["metrics"] = VertexMetrics(v),
            }),
        };
    }

    public static object Plan(JobDetails details) => new Dictionary<string, object?>
    {
        ["plan"] = new Dictionary<string, object?>
        {
            ["jid"] = JobIds.Format(details.JobId),
            ["name"] = details.Name,
            ["type"] = details.RuntimeMode,
            ["nodes"] = details.Vertices.Select(v => new Dictionary<string, object?>
            {
                ["id"] = v.Id,
                ["parallelism"] = v.Parallelism,
                ["operator"] = string.Empty,
                ["description"] = string.Join(" -> ", v.Operators),
                ["inputs"] = v.Inputs.Select((input, i) => new Dictionary<string, object?> { ["num"] = i, ["id"] = input.SourceVertexId, ["ship_strategy"] = input.ShipStrategy }),
            }),
        },
    };

    public static object Exceptions(JobDetails details)
    {
        var entries = details.Exceptions.Select(e => new Dictionary<string, object?>
        {
            ["exceptionName"] = e.ExceptionType,
            ["stacktrace"] = e.StackTrace,
            ["timestamp"] = e.Time.ToUnixTimeMilliseconds(),
            ["taskName"] = e.TaskName,
            ["taskManagerId"] = e.TaskManagerId,
            ["message"] = e.Message,
        }).ToList();
        return new Dictionary<string, object?>
        {
            ["root-exception"] = details.Exceptions.LastOrDefault()?.StackTrace,
            ["timestamp"] = details.Exceptions.LastOrDefault()?.Time.ToUnixTimeMilliseconds(),
            ["exceptionHistory"] = new Dictionary<string, object?> { ["entries"] = entries, ["truncated"] = false },
        };
    }

    public static object Metrics(JobDetails details) => new Dictionary<string, object?>
    {
        ["vertices"] = details.Vertices.Select(v => new Dictionary<string, object?>
        {
            ["id"] = v.Id,
            ["name"] = v.Name,
            ["metrics"] = VertexMetrics(v),
        }),
    };

    private static Dictionary<string, long> VertexMetrics(VertexDetails vertex)
    {
        var snapshots = vertex.Subtasks.Select(s => s.Metrics).OfType<Rill.Metrics.TaskIOMetricsSnapshot>().ToList();
        return new Dictionary<string, long>
        {
            ["read-records"] = snapshots.Sum(m => m.RecordsIn),
            ["write-records"] = snapshots.Sum(m => m.RecordsOut),
            ["read-bytes"] = snapshots.Sum(m => m.BytesIn),
            ["write-bytes"] = snapshots.Sum(m => m.BytesOut),
            ["read-bytes-remote"] = snapshots.Sum(m => m.RemoteBytesIn),
            ["busy-time-ms"] = (long)snapshots.Sum(m => m.BusyTime.TotalMilliseconds),
            ["idle-time-ms"] = (long)snapshots.Sum(m => m.IdleTime.TotalMilliseconds),
            ["backpressured-time-ms"] = (long)snapshots.Sum(m => m.BackPressuredTime.TotalMilliseconds),
        };
    }

    private static ExecutionState VertexStatus(VertexDetails vertex)
    {
        var states = vertex.Subtasks.Select(s => s.State).ToList();
        if (states.Any(s => s == ExecutionState.Failed))
        {
            return ExecutionState.Failed;
        }

        if (states.All(s => s == ExecutionState.Finished))
        {
            return ExecutionState.Finished;
        }

        if (states.Any(s => s == ExecutionState.Running))
        {
            return ExecutionState.Running;
        }

        return states.Min();
    }
}
