namespace Rill.Windowing;

/// <summary>A window's identity; windows with equal bounds are the same window.</summary>
public interface IWindow
{
    /// <summary>The largest timestamp that still belongs to the window.</summary>
    long MaxTimestamp { get; }
}

/// <summary>A time interval [Start, End): End is exclusive, as in Flink.</summary>
public readonly record struct TimeWindow(long Start, long End) : IWindow
{
    public long MaxTimestamp => End - 1;

    public bool Intersects(TimeWindow other) => Start <= other.End && End >= other.Start;

    public TimeWindow Cover(TimeWindow other) => new(Math.Min(Start, other.Start), Math.Max(End, other.End));

    /// <summary>Flink's TimeWindow.getWindowStartWithOffset: aligned to the epoch plus offset, correct for negative timestamps.</summary>
    public static long GetWindowStartWithOffset(long timestamp, long offset, long windowSize)
    {
        var remainder = (timestamp - offset) % windowSize;
        return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
    }

    public override string ToString() => $"TimeWindow{{start={Start}, end={End}}}";
}
