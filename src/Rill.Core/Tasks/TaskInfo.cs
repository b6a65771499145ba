namespace Rill.Tasks;

/// <summary>Identity of one parallel subtask attempt.</summary>
public sealed record TaskInfo(string TaskName, int SubtaskIndex, int Parallelism, int MaxParallelism, int AttemptNumber, Guid JobId = default)
{
    public string TaskNameWithSubtask => $"{TaskName} ({SubtaskIndex + 1}/{Parallelism})#{AttemptNumber}";
}
