namespace Rill.EventTime;

/// <summary>Wraps a generator and marks the output idle when no event arrived for the idle timeout.</summary>
public sealed class WatermarksWithIdleness<T>(IWatermarkGenerator<T> inner, TimeSpan idleTimeout, Func<long> clock) : IWatermarkGenerator<T>
{
    private readonly long _idleTimeoutMillis = (long)idleTimeout.TotalMilliseconds;
    private long _lastActivity = clock();
    private bool _idle;

    public void OnEvent(T value, long eventTimestamp, IWatermarkOutput output)
    {
        inner.OnEvent(value, eventTimestamp, output);
        _lastActivity = clock();
        if (_idle)
        {
            _idle = false;
            output.MarkActive();
        }
    }

    public void OnPeriodicEmit(IWatermarkOutput output)
    {
        if (_idle)
        {
            return;
        }

        if (clock() - _lastActivity >= _idleTimeoutMillis)
        {
            _idle = true;
            output.MarkIdle();
            return;
        }

        inner.OnPeriodicEmit(output);
    }
}
