using Rill.EventTime;

namespace Rill.Operators;

/// <summary>
/// Assigns timestamps and generates watermarks in the middle of a pipeline. Upstream watermarks are dropped
/// (this operator is the new source of event time), except the final one that ends a bounded input.
/// </summary>
internal sealed class TimestampsAndWatermarksOperator<T>(WatermarkStrategy<T> strategy) : OneInputStreamOperator<T, T>, IWatermarkOutput
{
    private IWatermarkGenerator<T> _generator = null!;
    private TimestampAssigner<T>? _assigner;
    private long _intervalMs;
    private long _nextEmit;
    private long _lastEmitted = long.MinValue;
    private bool _emitWatermarks;
    private IDisposable? _timer;
    private bool _idle;

    public override void Open()
    {
        _generator = strategy.CreateGenerator(() => Context.ProcessingTime.CurrentTime);
        _assigner = strategy.TimestampAssigner;
        _emitWatermarks = !Context.IsBatch && !strategy.IsNoWatermarks;
        _intervalMs = Math.Max(1, (long)Context.Options.AutoWatermarkInterval.TotalMilliseconds);
        _nextEmit = Environment.TickCount64 + _intervalMs;
        if (_emitWatermarks)
        {
            SchedulePeriodic();
        }
    }

    // A periodic timer as well as the per-record check: without records there are no checks, but idleness
    // and time still have to be reported.
    private void SchedulePeriodic() =>
        _timer = Context.ProcessingTime.RegisterTimer(Context.ProcessingTime.CurrentTime + _intervalMs, _ => Context.PostToMailbox(() =>
        {
            EmitPeriodic();
            SchedulePeriodic();
        }));

    public override void ProcessElement(T value, long timestamp)
    {
        if (_assigner is not null)
        {
            timestamp = _assigner(value, timestamp);
        }

        // Record first, then the generator (as in Flink): a watermark emitted for this record must follow it.
        Output.Collect(value, timestamp);
        if (_emitWatermarks)
        {
            _generator.OnEvent(value, timestamp, this);
            if (Environment.TickCount64 >= _nextEmit)
            {
                EmitPeriodic();
            }
        }
    }

    private void EmitPeriodic()
    {
        _nextEmit = Environment.TickCount64 + _intervalMs;
        _generator.OnPeriodicEmit(this);
    }

    public override void ProcessWatermark(Watermark watermark)
    {
        if (watermark.Timestamp == long.MaxValue)
        {
            EmitWatermark(watermark);
        }
    }

    public override void ProcessWatermarkStatus(bool idle)
    {
    }

    public void EmitWatermark(Watermark watermark)
    {
        if (watermark.Timestamp <= _lastEmitted)
        {
            return;
        }

        _lastEmitted = watermark.Timestamp;
        MarkActive();
        Output.EmitWatermark(watermark);
    }

    public void MarkIdle()
    {
        if (!_idle)
        {
            _idle = true;
            Output.EmitWatermarkStatus(true);
        }
    }

    public void MarkActive()
    {
        if (_idle)
        {
            _idle = false;
            Output.EmitWatermarkStatus(false);
        }
    }

    public override void Close() => _timer?.Dispose();
}
