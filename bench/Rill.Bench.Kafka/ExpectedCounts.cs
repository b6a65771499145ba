namespace Rill.Bench.Kafka;

/// <summary>The right answer, computed in this process: the number of clicks per (tumbling window, user).</summary>
public sealed class ExpectedCounts
{
    private ExpectedCounts(Dictionary<WindowKey, long> counts, long windowMs)
    {
        Counts = counts;
        WindowMs = windowMs;
        Windows = counts.Keys.Select(k => k.WindowStart).Distinct().Count();
    }

    public IReadOnlyDictionary<WindowKey, long> Counts { get; }

    public long WindowMs { get; }

    /// <summary>Distinct window starts.</summary>
    public int Windows { get; }

    public static ExpectedCounts Of(IEnumerable<Click> clicks, long windowMs)
    {
        var counts = new Dictionary<WindowKey, long>();
        foreach (var click in clicks)
        {
            var key = new WindowKey(WindowStart(click.Timestamp, windowMs), click.UserId);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return new ExpectedCounts(counts, windowMs);
    }

    /// <summary>Tumbling windows aligned to the epoch, as Flink's and Kafka Streams' (timestamps are positive here).</summary>
    public static long WindowStart(long timestamp, long windowMs) => timestamp - (timestamp % windowMs);
}
