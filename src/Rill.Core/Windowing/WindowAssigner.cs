namespace Rill.Windowing;

/// <summary>Assigns each record to zero or more windows (Flink's WindowAssigner).</summary>
public abstract class WindowAssigner<T, TWindow> where TWindow : IWindow
{
    /// <summary>Adds the record's windows to <paramref name="windows"/> (reused between calls: no allocation per record).</summary>
    public abstract void AssignWindows(T element, long timestamp, long currentProcessingTime, List<TWindow> windows);

    public abstract bool IsEventTime { get; }

    /// <summary>Session windows merge when they overlap.</summary>
    public virtual bool IsMerging => false;

    public abstract Trigger<T, TWindow> DefaultTrigger { get; }

    public override string ToString() => GetType().Name;
}

public static class TumblingEventTimeWindows
{
    public static WindowAssigner<T, TimeWindow> Of<T>(TimeSpan size, TimeSpan offset = default) => new TumblingWindows<T>(size, offset, eventTime: true);
}

public static class TumblingProcessingTimeWindows
{
    public static WindowAssigner<T, TimeWindow> Of<T>(TimeSpan size, TimeSpan offset = default) => new TumblingWindows<T>(size, offset, eventTime: false);
}

public static class SlidingEventTimeWindows
{
    public static WindowAssigner<T, TimeWindow> Of<T>(TimeSpan size, TimeSpan slide, TimeSpan offset = default) => new SlidingWindows<T>(size, slide, offset, eventTime: true);
}

public static class SlidingProcessingTimeWindows
{
    public static WindowAssigner<T, TimeWindow> Of<T>(TimeSpan size, TimeSpan slide, TimeSpan offset = default) => new SlidingWindows<T>(size, slide, offset, eventTime: false);
}

public static class EventTimeSessionWindows
{
    public static WindowAssigner<T, TimeWindow> WithGap<T>(TimeSpan gap) => new SessionWindows<T>(gap, eventTime: true);
}

public static class ProcessingTimeSessionWindows
{
    public static WindowAssigner<T, TimeWindow> WithGap<T>(TimeSpan gap) => new SessionWindows<T>(gap, eventTime: false);
}

internal sealed class TumblingWindows<T> : WindowAssigner<T, TimeWindow>
{
    private readonly long _size;
    private readonly long _offset;
    private readonly bool _eventTime;

    public TumblingWindows(TimeSpan size, TimeSpan offset, bool eventTime)
    {
        _size = (long)size.TotalMilliseconds;
        _offset = (long)offset.TotalMilliseconds;
        if (_size <= 0 || Math.Abs(_offset) >= _size)
        {
            throw new ArgumentException($"Tumbling windows need size > 0 and |offset| < size (size {size}, offset {offset}).");
        }

        _eventTime = eventTime;
    }

    public override bool IsEventTime => _eventTime;

    public override Trigger<T, TimeWindow> DefaultTrigger => _eventTime ? EventTimeTrigger<T>.Instance : ProcessingTimeTrigger<T>.Instance;

    public override void AssignWindows(T element, long timestamp, long currentProcessingTime, List<TimeWindow> windows)
    {
        var time = _eventTime ? timestamp : currentProcessingTime;
        if (_eventTime && timestamp == Operators.StreamRecords.NoTimestamp)
        {
            throw new InvalidOperationException("Record has no event timestamp: assign timestamps (WatermarkStrategy) before event-time windows.");
        }

        var start = TimeWindow.GetWindowStartWithOffset(time, _offset, _size);
        windows.Add(new TimeWindow(start, start + _size));
    }

    public override string ToString() => $"Tumbling{(_eventTime ? "EventTime" : "ProcessingTime")}Windows({_size})";
}

internal sealed class SlidingWindows<T> : WindowAssigner<T, TimeWindow>
{
    private readonly long _size;
    private readonly long _slide;
    private readonly long _offset;
    private readonly bool _eventTime;

    public SlidingWindows(TimeSpan size, TimeSpan slide, TimeSpan offset, bool eventTime)
    {
        _size = (long)size.TotalMilliseconds;
        _slide = (long)slide.TotalMilliseconds;
        _offset = (long)offset.TotalMilliseconds;
        if (_size <= 0 || _slide <= 0 || Math.Abs(_offset) >= _slide)
        {
            throw new ArgumentException($"Sliding windows need size > 0, slide > 0 and |offset| < slide (size {size}, slide {slide}, offset {offset}).");
        }

        _eventTime = eventTime;
    }

    public override bool IsEventTime => _eventTime;

    public override Trigger<T, TimeWindow> DefaultTrigger => _eventTime ? EventTimeTrigger<T>.Instance : ProcessingTimeTrigger<T>.Instance;

    public override void AssignWindows(T element, long timestamp, long currentProcessingTime, List<TimeWindow> windows)
    {
        var time = _eventTime ? timestamp : currentProcessingTime;
        if (_eventTime && timestamp == Operators.StreamRecords.NoTimestamp)
        {
            throw new InvalidOperationException("Record has no event timestamp: assign timestamps (WatermarkStrategy) before event-time windows.");
        }

        var lastStart = TimeWindow.GetWindowStartWithOffset(time, _offset, _slide);
        for (var start = lastStart; start > time - _size; start -= _slide)
        {
            windows.Add(new TimeWindow(start, start + _size));
        }
    }
}

internal sealed class SessionWindows<T> : WindowAssigner<T, TimeWindow>
{
    private readonly long _gap;
    private readonly bool _eventTime;

    public SessionWindows(TimeSpan gap, bool eventTime)
    {
        _gap = (long)gap.TotalMilliseconds;
        if (_gap <= 0)
        {
            throw new ArgumentException($"Session gap must be positive (got {gap}).");
        }

        _eventTime = eventTime;
    }

    public override bool IsEventTime => _eventTime;

    public override bool IsMerging => true;

    public override Trigger<T, TimeWindow> DefaultTrigger => _eventTime ? EventTimeTrigger<T>.Instance : ProcessingTimeTrigger<T>.Instance;

    public override void AssignWindows(T element, long timestamp, long currentProcessingTime, List<TimeWindow> windows)
    {
        var time = _eventTime ? timestamp : currentProcessingTime;
        if (_eventTime && timestamp == Operators.StreamRecords.NoTimestamp)
        {
            throw new InvalidOperationException("Record has no event timestamp: assign timestamps (WatermarkStrategy) before event-time windows.");
        }

        windows.Add(new TimeWindow(time, time + _gap));
    }
}
