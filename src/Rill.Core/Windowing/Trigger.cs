namespace Rill.Windowing;

[Flags]
public enum TriggerResult
{
    Continue = 0,
    Fire = 1,
    Purge = 2,
    FireAndPurge = Fire | Purge,
}

/// <summary>What a trigger may do: read time and set timers for the current key and window.</summary>
public interface ITriggerContext
{
    long CurrentWatermark { get; }

    long CurrentProcessingTime { get; }

    void RegisterEventTimeTimer(long time);

    void RegisterProcessingTimeTimer(long time);

    void DeleteEventTimeTimer(long time);

    void DeleteProcessingTimeTimer(long time);
}

/// <summary>Decides when a window emits (Flink's Trigger).</summary>
public abstract class Trigger<T, TWindow> where TWindow : IWindow
{
    public abstract TriggerResult OnElement(T element, long timestamp, TWindow window, ITriggerContext context);

    public abstract TriggerResult OnEventTime(long time, TWindow window, ITriggerContext context);

    public abstract TriggerResult OnProcessingTime(long time, TWindow window, ITriggerContext context);

    /// <summary>Removes the trigger's timers for the window when its state is cleared.</summary>
    public abstract void Clear(TWindow window, ITriggerContext context);

    public virtual bool CanMerge => false;

    public virtual void OnMerge(TWindow window, ITriggerContext context) =>
        throw new NotSupportedException($"{GetType().Name} does not support merging windows.");
}

/// <summary>Fires when the watermark passes the window's end; fires at once for late elements within allowed lateness.</summary>
public sealed class EventTimeTrigger<T> : Trigger<T, TimeWindow>
{
    public static readonly EventTimeTrigger<T> Instance = new();

    public override TriggerResult OnElement(T element, long timestamp, TimeWindow window, ITriggerContext context)
    {
        if (window.MaxTimestamp <= context.CurrentWatermark)
        {
            return TriggerResult.Fire;
        }

        context.RegisterEventTimeTimer(window.MaxTimestamp);
        return TriggerResult.Continue;
    }

    public override TriggerResult OnEventTime(long time, TimeWindow window, ITriggerContext context) =>
        time == window.MaxTimestamp ? TriggerResult.Fire : TriggerResult.Continue;

    public override TriggerResult OnProcessingTime(long time, TimeWindow window, ITriggerContext context) => TriggerResult.Continue;

    public override void Clear(TimeWindow window, ITriggerContext context) => context.DeleteEventTimeTimer(window.MaxTimestamp);

    public override bool CanMerge => true;

    public override void OnMerge(TimeWindow window, ITriggerContext context)
    {
        if (window.MaxTimestamp > context.CurrentWatermark)
        {
            context.RegisterEventTimeTimer(window.MaxTimestamp);
        }
    }
}

/// <summary>Fires when wall-clock time reaches the window's end.</summary>
public sealed class ProcessingTimeTrigger<T> : Trigger<T, TimeWindow>
{
    public static readonly ProcessingTimeTrigger<T> Instance = new();

    public override TriggerResult OnElement(T element, long timestamp, TimeWindow window, ITriggerContext context)
    {
        context.RegisterProcessingTimeTimer(window.MaxTimestamp);
        return TriggerResult.Continue;
    }

    public override TriggerResult OnEventTime(long time, TimeWindow window, ITriggerContext context) => TriggerResult.Continue;

    public override TriggerResult OnProcessingTime(long time, TimeWindow window, ITriggerContext context) => TriggerResult.Fire;

    public override void Clear(TimeWindow window, ITriggerContext context) => context.DeleteProcessingTimeTimer(window.MaxTimestamp);

    public override bool CanMerge => true;

    public override void OnMerge(TimeWindow window, ITriggerContext context) => context.RegisterProcessingTimeTimer(window.MaxTimestamp);
}
