using Rill.Api;

namespace Rill.Functions;

/// <summary>A function on a keyed stream with keyed state and event-time / processing-time timers.</summary>
public abstract class KeyedProcessFunction<TKey, TIn, TOut> : IRichFunction
{
    public abstract class Context
    {
        public abstract long? Timestamp { get; }

        public abstract TKey CurrentKey { get; }

        public abstract ITimerService TimerService { get; }

        public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
    }

    public abstract class OnTimerContext : Context
    {
        public abstract TimeDomain TimeDomain { get; }
    }

    public IRuntimeContext RuntimeContext { get; private set; } = null!;

    public virtual void Open(IRuntimeContext context) => RuntimeContext = context;

    public virtual void Close()
    {
    }

    public abstract void ProcessElement(TIn value, Context context, ICollector<TOut> output);

    public virtual void OnTimer(long timestamp, OnTimerContext context, ICollector<TOut> output)
    {
    }
}

public enum TimeDomain
{
    EventTime,
    ProcessingTime,
}

/// <summary>Timers for the current key; a timer for the same key and time is registered only once.</summary>
public interface ITimerService
{
    long CurrentProcessingTime { get; }

    long CurrentWatermark { get; }

    void RegisterEventTimeTimer(long time);

    void RegisterProcessingTimeTimer(long time);

    void DeleteEventTimeTimer(long time);

    void DeleteProcessingTimeTimer(long time);
}
