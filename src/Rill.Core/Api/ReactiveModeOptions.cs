namespace Rill.Api;

/// <summary>
/// Reactive mode (Flink's adaptive scheduler with <c>scheduler-mode: reactive</c>): the job runs at the parallelism the
/// slots allow and rescales, from a savepoint or checkpoint, when TaskManagers come and go.
/// </summary>
public sealed record ReactiveModeOptions
{
    /// <summary>How long the set of slots must stay unchanged before the job (re)starts with them (Flink: 10 s).</summary>
    public TimeSpan ResourceStabilizationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Minimum time between two rescales up, so a burst of joining TaskManagers costs one pause (Flink: 30 s).</summary>
    public TimeSpan MinRescaleInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The job waits for at least this many slots before it runs.</summary>
    public int MinParallelism { get; init; } = 1;
}
