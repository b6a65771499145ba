namespace Rill.Samples.ClickCounts;

/// <summary>What the job counted besides its results, read from its accumulators.</summary>
internal readonly record struct JobSummary(long MalformedLines, long LateClicks);
