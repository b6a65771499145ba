namespace Rill.Metrics;

/// <summary>The tag names of Rill's metrics and activities: Flink's scope variables (<c>&lt;job_id&gt;</c>, <c>&lt;task_name&gt;</c>, …).</summary>
public static class MetricTags
{
    /// <summary>32 lowercase hexadecimal characters, as the REST API prints job ids.</summary>
    public const string JobId = "job_id";

    public const string JobName = "job_name";

    /// <summary>The job vertex (an operator chain) a subtask runs.</summary>
    public const string TaskName = "task_name";

    /// <summary>0-based, as in Flink.</summary>
    public const string SubtaskIndex = "subtask_index";

    public const string CheckpointId = "checkpoint_id";

    public const string TaskManagerId = "tm_id";
}
