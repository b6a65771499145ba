using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.State;

namespace Rill.Operators;

/// <summary>Runs a KeyedProcessFunction: keyed state plus event-time and processing-time timers per key.</summary>
internal sealed class KeyedProcessOperator<TKey, TIn, TOut>(Func<TIn, TKey> keySelector, KeyedProcessFunction<TKey, TIn, TOut> function)
    : KeyedOperatorBase<TKey, TIn, TOut>(keySelector), ITriggerable<TKey, VoidNamespace>
    where TKey : notnull
{
    private readonly TimestampedCollector<TOut> _collector = new();
    private InternalTimerService<TKey, VoidNamespace> _timers = null!;
    private ContextImpl _context = null!;
    private OnTimerContextImpl _timerContext = null!;

    public override void Open()
    {
        base.Open();
        _collector.Output = Output;
        _timers = new InternalTimerService<TKey, VoidNamespace>(KeyedState, Context.ProcessingTime, Context.PostToMailbox, this);
        var timerService = new TimerServiceImpl(_timers);
        _context = new ContextImpl(this, timerService);
        _timerContext = new OnTimerContextImpl(this, timerService);
        function.Open(new StreamingRuntimeContext(Context, KeyedStateAccess));
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        SetKeyContextElement(value);
        _collector.Timestamp = timestamp;
        _context.Current = StreamRecords.ToNullable(timestamp);
        function.ProcessElement(value, _context, _collector);
    }

    protected override void OnWatermark(Watermark watermark) => _timers.AdvanceWatermark(watermark.Timestamp);

    public void OnEventTime(TKey key, VoidNamespace ns, long timestamp) => FireTimer(timestamp, TimeDomain.EventTime, timestamp);

    public void OnProcessingTime(TKey key, VoidNamespace ns, long timestamp) => FireTimer(timestamp, TimeDomain.ProcessingTime, StreamRecords.NoTimestamp);

    private void FireTimer(long timestamp, TimeDomain domain, long outputTimestamp)
    {
        _collector.Timestamp = outputTimestamp;
        _timerContext.Current = StreamRecords.ToNullable(outputTimestamp);
        _timerContext.Domain = domain;
        function.OnTimer(timestamp, _timerContext, _collector);
    }

    public override void Finish()
    {
        // Bounded input: processing time stops here, so pending processing-time timers fire now (event-time ones
        // already fired on the final watermark).
        _timers.EndInput();
    }

    public override void Close()
    {
        try
        {
            _timers?.Dispose();
            function.Close();
        }
        finally
        {
            base.Close();
        }
    }

    private sealed class TimerServiceImpl(InternalTimerService<TKey, VoidNamespace> timers) : ITimerService
    {
        public long CurrentProcessingTime => timers.CurrentProcessingTime;

        public long CurrentWatermark => timers.CurrentWatermark;

        public void RegisterEventTimeTimer(long time) => timers.RegisterEventTimeTimer(default, time);

        public void RegisterProcessingTimeTimer(long time) => timers.RegisterProcessingTimeTimer(default, time);

        public void DeleteEventTimeTimer(long time) => timers.DeleteEventTimeTimer(default, time);

        public void DeleteProcessingTimeTimer(long time) => timers.DeleteProcessingTimeTimer(default, time);
    }

    private sealed class ContextImpl(KeyedProcessOperator<TKey, TIn, TOut> owner, ITimerService timers) : KeyedProcessFunction<TKey, TIn, TOut>.Context
    {
        public long? Current { get; set; }

        public override long? Timestamp => Current;

        public override TKey CurrentKey => owner.KeyedState.CurrentKey;

        public override ITimerService TimerService => timers;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => owner.Output.CollectSide(tag, value, owner._collector.Timestamp);
    }

    private sealed class OnTimerContextImpl(KeyedProcessOperator<TKey, TIn, TOut> owner, ITimerService timers) : KeyedProcessFunction<TKey, TIn, TOut>.OnTimerContext
    {
        public long? Current { get; set; }

        public TimeDomain Domain { get; set; }

        public override long? Timestamp => Current;

        public override TKey CurrentKey => owner.KeyedState.CurrentKey;

        public override ITimerService TimerService => timers;

        public override TimeDomain TimeDomain => Domain;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => owner.Output.CollectSide(tag, value, owner._collector.Timestamp);
    }
}
