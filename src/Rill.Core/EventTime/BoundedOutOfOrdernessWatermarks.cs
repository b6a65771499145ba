namespace Rill.EventTime;

/// <summary>Watermark = highest timestamp seen − out-of-orderness bound − 1, exactly as Flink's generator.</summary>
public sealed class BoundedOutOfOrdernessWatermarks<T> : IWatermarkGenerator<T>
{
    private readonly long _outOfOrdernessMillis;
    private long _maxTimestamp;

    public BoundedOutOfOrdernessWatermarks(TimeSpan maxOutOfOrderness)
    {
        if (maxOutOfOrderness < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxOutOfOrderness), "Out-of-orderness bound must not be negative.");
        }

        _outOfOrdernessMillis = (long)maxOutOfOrderness.TotalMilliseconds;
        // Start so that the first watermark cannot underflow.
        _maxTimestamp = long.MinValue + _outOfOrdernessMillis + 1;
    }

    public void OnEvent(T value, long eventTimestamp, IWatermarkOutput output)
    {
        if (eventTimestamp > _maxTimestamp)
        {
            _maxTimestamp = eventTimestamp;
        }
    }

    public void OnPeriodicEmit(IWatermarkOutput output) =>
        output.EmitWatermark(new Watermark(_maxTimestamp - _outOfOrdernessMillis - 1));
}

/// <summary>Emits no watermarks: for pipelines that use processing time only.</summary>
public sealed class NoWatermarksGenerator<T> : IWatermarkGenerator<T>
{
    public void OnEvent(T value, long eventTimestamp, IWatermarkOutput output)
    {
    }

    public void OnPeriodicEmit(IWatermarkOutput output)
    {
    }
}
