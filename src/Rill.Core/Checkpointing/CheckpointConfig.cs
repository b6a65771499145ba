namespace Rill.Checkpointing;

/// <summary>
/// How a job checkpoints (Flink's execution.checkpointing.* options). Checkpointing is off unless
/// <see cref="Interval"/> is set.
/// </summary>
public sealed record CheckpointConfig
{
    /// <summary>Time between the starts of two periodic checkpoints; null: checkpointing is off.</summary>
    public TimeSpan? Interval { get; init; }

    public CheckpointingMode Mode { get; init; } = CheckpointingMode.ExactlyOnce;

    /// <summary>A checkpoint not complete after this long is aborted (and counts as failed).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    public int MaxConcurrentCheckpoints { get; init; } = 1;

    /// <summary>Minimum time between the end of one checkpoint and the start of the next.</summary>
    public TimeSpan MinPauseBetweenCheckpoints { get; init; } = TimeSpan.Zero;

    /// <summary>Consecutive failed checkpoints tolerated before the job fails (Flink's default: 0).</summary>
    public int TolerableFailedCheckpoints { get; init; }

    /// <summary>Base directory of checkpoints (one folder per job, one per checkpoint); a shared volume in a cluster.</summary>
    public string? Directory { get; init; }

    /// <summary>How many completed checkpoints are kept; older ones are deleted once subsumed.</summary>
    public int RetainedCheckpoints { get; init; } = 1;

    public bool IsEnabled => Interval is not null;

    /// <summary>Where checkpoints go when no directory is configured: RILL_CHECKPOINT_DIR, else the temp directory (fine embedded, useless across machines).</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("RILL_CHECKPOINT_DIR") is { Length: > 0 } configured ? configured : Path.Combine(Path.GetTempPath(), "rill-checkpoints");

    public string EffectiveDirectory => Path.GetFullPath(Directory ?? DefaultDirectory);

    public void Validate()
    {
        if (Interval is { } interval && interval < TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentException($"The checkpoint interval must be at least 10 ms, not {interval.TotalMilliseconds} ms.");
        }

        if (MaxConcurrentCheckpoints < 1)
        {
            throw new ArgumentException("At least one concurrent checkpoint must be allowed.");
        }

        if (TolerableFailedCheckpoints < 0 || RetainedCheckpoints < 1)
        {
            throw new ArgumentException("Tolerable failed checkpoints must be ≥ 0 and retained checkpoints ≥ 1.");
        }
    }
}
