namespace Rill.Bench.Kafka;

/// <summary>What one contender did over all runs: times, output sizes, and whether every output was right.</summary>
public sealed class ContenderResult(string name, string id)
{
    public string Name { get; } = name;

    public string Id { get; } = id;

    public List<TimeSpan> Times { get; } = [];

    public List<TimeSpan> Startups { get; } = [];

    public List<long> OutputRecords { get; } = [];

    /// <summary>Why the contender's result does not count (a wrong output, a failure); null while all is well.</summary>
    public string? Wrong { get; set; }

    /// <summary>Set when the contender cannot run at all yet (the Rill seam before its connectors are merged).</summary>
    public string? NotRun { get; set; }

    public bool Ok => Wrong is null && NotRun is null && Times.Count > 0;

    public double MedianSeconds => Stats.Median(Times.Select(t => t.TotalSeconds));

    public double EventsPerSecond(long events) => events / MedianSeconds;
}
