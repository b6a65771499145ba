namespace Rill.Checkpointing;

/// <summary>Start a job from a savepoint or retained checkpoint (Flink's --fromSavepoint and --allowNonRestoredState).</summary>
/// <param name="Path">The savepoint's directory or its _metadata file.</param>
/// <param name="AllowNonRestoredState">Drop state of operators the job no longer has instead of refusing to start.</param>
public sealed record SavepointRestoreSettings(string Path, bool AllowNonRestoredState = false);
