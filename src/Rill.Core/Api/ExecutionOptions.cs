namespace Rill.Api;

/// <summary>Job-wide settings that reach every task.</summary>
public sealed record ExecutionOptions
{
    /// <summary>How often sources ask their watermark generators for a watermark (Flink: 200 ms).</summary>
    public TimeSpan AutoWatermarkInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    public RuntimeExecutionMode RuntimeMode { get; init; } = RuntimeExecutionMode.Automatic;

    public Checkpointing.CheckpointConfig Checkpointing { get; init; } = new();

    /// <summary>Where keyed state lives (heap or RocksDB); checkpoints of either restore into the other.</summary>
    public State.StateBackendConfig StateBackend { get; init; } = new();

    /// <summary>
    /// Reactive (Flink's adaptive scheduler in reactive mode): the job runs at whatever parallelism the TaskManagers'
    /// slots allow and rescales from a savepoint or checkpoint when they come and go. Needs checkpointing.
    /// </summary>
    public ReactiveModeOptions? Reactive { get; init; }

    /// <summary>The savepoint the job starts from (null: a fresh start).</summary>
    public Checkpointing.SavepointRestoreSettings? SavepointRestore { get; init; }
}
