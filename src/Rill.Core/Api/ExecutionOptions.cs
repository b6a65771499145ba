namespace Rill.Api;

/// <summary>Job-wide settings that reach every task.</summary>
public sealed record ExecutionOptions
{
    /// <summary>How often sources ask their watermark generators for a watermark (Flink: 200 ms).</summary>
    public TimeSpan AutoWatermarkInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    public RuntimeExecutionMode RuntimeMode { get; init; } = RuntimeExecutionMode.Automatic;

    public Checkpointing.CheckpointConfig Checkpointing { get; init; } = new();

    /// <summary>The savepoint the job starts from (null: a fresh start).</summary>
    public Checkpointing.SavepointRestoreSettings? SavepointRestore { get; init; }
}
