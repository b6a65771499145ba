namespace Rill.Bench.Kafka;

/// <summary>One timed run of a contender.</summary>
/// <param name="Elapsed">From the start of the job to the moment its output was complete: the figure events/s are computed from.</param>
/// <param name="Startup">Of that, the part before the job processed anything (for Streamiz: joining its consumer group), when the contender can tell.</param>
public sealed record ContenderRun(TimeSpan Elapsed, TimeSpan? Startup);
