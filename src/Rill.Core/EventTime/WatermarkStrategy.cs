namespace Rill.EventTime;

/// <summary>
/// How a stream gets event timestamps and watermarks (Flink's WatermarkStrategy). Immutable: each With… returns
/// a new strategy.
/// </summary>
public sealed class WatermarkStrategy<T>
{
    private readonly Func<Func<long>, IWatermarkGenerator<T>> _generatorFactory;

    private WatermarkStrategy(Func<Func<long>, IWatermarkGenerator<T>> generatorFactory, TimestampAssigner<T>? timestampAssigner, TimeSpan? idleness)
    {
        _generatorFactory = generatorFactory;
        TimestampAssigner = timestampAssigner;
        Idleness = idleness;
    }

    public TimestampAssigner<T>? TimestampAssigner { get; }

    public TimeSpan? Idleness { get; }

    /// <summary>True when this strategy never emits watermarks, so the pipeline has no event time.</summary>
    public bool IsNoWatermarks { get; private init; }

    public static WatermarkStrategy<T> ForBoundedOutOfOrderness(TimeSpan maxOutOfOrderness)
    {
        _ = new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrderness); // validates eagerly, where the user wrote it
        return new(_ => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrderness), null, null);
    }

    public static WatermarkStrategy<T> ForMonotonousTimestamps() => ForBoundedOutOfOrderness(TimeSpan.Zero);

    public static WatermarkStrategy<T> NoWatermarks() => new(_ => new NoWatermarksGenerator<T>(), null, null) { IsNoWatermarks = true };

    public static WatermarkStrategy<T> ForGenerator(Func<IWatermarkGenerator<T>> factory) => new(_ => factory(), null, null);

    public WatermarkStrategy<T> WithTimestampAssigner(TimestampAssigner<T> assigner) =>
        new(_generatorFactory, assigner, Idleness) { IsNoWatermarks = IsNoWatermarks };

    public WatermarkStrategy<T> WithTimestampAssigner(Func<T, long> assigner) =>
        WithTimestampAssigner((value, _) => assigner(value));

    public WatermarkStrategy<T> WithIdleness(TimeSpan idleTimeout)
    {
        if (idleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(idleTimeout), "Idle timeout must be positive.");
        }

        return new(_generatorFactory, TimestampAssigner, idleTimeout) { IsNoWatermarks = IsNoWatermarks };
    }

    internal IWatermarkGenerator<T> CreateGenerator(Func<long> processingClock)
    {
        var generator = _generatorFactory(processingClock);
        return Idleness is { } idle ? new WatermarksWithIdleness<T>(generator, idle, processingClock) : generator;
    }
}
