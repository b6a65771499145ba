using Rill.State;
using Rill.Tasks;

namespace Rill.Operators;

/// <summary>Receives timers that fired, with the backend's current key already set to the timer's key.</summary>
internal interface ITriggerable<TKey, TNamespace>
{
    void OnEventTime(TKey key, TNamespace ns, long timestamp);

    void OnProcessingTime(TKey key, TNamespace ns, long timestamp);
}

/// <summary>
/// Event-time and processing-time timers per (key, namespace), each registered at most once (Flink's
/// InternalTimerService). Deleted timers are removed from the set and skipped lazily when they reach the
/// head of the queue.
/// </summary>
internal sealed class InternalTimerService<TKey, TNamespace>
    where TKey : notnull
    where TNamespace : notnull
{
    private readonly HeapKeyedStateBackend<TKey> _backend;
    private readonly IProcessingTimeService _processingTime;
    private readonly Action<Action> _postToMailbox;
    private readonly ITriggerable<TKey, TNamespace> _target;
    private readonly HashSet<(long Time, TKey Key, TNamespace Ns)> _eventTimers = [];
    private readonly PriorityQueue<(long Time, TKey Key, TNamespace Ns, int KeyGroup), long> _eventQueue = new();
    private readonly HashSet<(long Time, TKey Key, TNamespace Ns)> _processingTimers = [];
    private readonly PriorityQueue<(long Time, TKey Key, TNamespace Ns, int KeyGroup), long> _processingQueue = new();
    private long _scheduledProcessingTime = long.MaxValue;
    private IDisposable? _scheduled;

    public InternalTimerService(HeapKeyedStateBackend<TKey> backend, IProcessingTimeService processingTime, Action<Action> postToMailbox, ITriggerable<TKey, TNamespace> target)
    {
        _backend = backend;
        _processingTime = processingTime;
        _postToMailbox = postToMailbox;
        _target = target;
    }

    public long CurrentWatermark { get; private set; } = long.MinValue;

    public long CurrentProcessingTime => _processingTime.CurrentTime;

    public int NumEventTimeTimers => _eventTimers.Count;

    public int NumProcessingTimeTimers => _processingTimers.Count;

    public void RegisterEventTimeTimer(TNamespace ns, long time)
    {
        if (_eventTimers.Add((time, _backend.CurrentKey, ns)))
        {
            _eventQueue.Enqueue((time, _backend.CurrentKey, ns, _backend.CurrentKeyGroup), time);
        }
    }

    public void DeleteEventTimeTimer(TNamespace ns, long time) => _eventTimers.Remove((time, _backend.CurrentKey, ns));

    public void RegisterProcessingTimeTimer(TNamespace ns, long time)
    {
        if (_processingTimers.Add((time, _backend.CurrentKey, ns)))
        {
            _processingQueue.Enqueue((time, _backend.CurrentKey, ns, _backend.CurrentKeyGroup), time);
            if (time < _scheduledProcessingTime)
            {
                Schedule(time);
            }
        }
    }

    public void DeleteProcessingTimeTimer(TNamespace ns, long time) => _processingTimers.Remove((time, _backend.CurrentKey, ns));

    /// <summary>Fires every event-time timer at or before the watermark, in timestamp order.</summary>
    public void AdvanceWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        while (_eventQueue.TryPeek(out var timer, out var time) && time <= watermark)
        {
            _eventQueue.Dequeue();
            if (!_eventTimers.Remove((timer.Time, timer.Key, timer.Ns)))
            {
                continue; // deleted
            }

            _backend.SetCurrentKey(timer.Key, timer.KeyGroup);
            _target.OnEventTime(timer.Key, timer.Ns, timer.Time);
        }
    }

    /// <summary>Fires processing-time timers that are due (or all of them, at the end of a bounded input).</summary>
    public void FireProcessingTimers(long upTo)
    {
        while (_processingQueue.TryPeek(out var timer, out var time) && time <= upTo)
        {
            _processingQueue.Dequeue();
            if (!_processingTimers.Remove((timer.Time, timer.Key, timer.Ns)))
            {
                continue;
            }

            _backend.SetCurrentKey(timer.Key, timer.KeyGroup);
            _target.OnProcessingTime(timer.Key, timer.Ns, timer.Time);
        }

        _scheduledProcessingTime = long.MaxValue;
        if (_processingQueue.TryPeek(out _, out var next) && upTo != long.MaxValue)
        {
            Schedule(next);
        }
    }

    private void Schedule(long time)
    {
        _scheduled?.Dispose();
        _scheduledProcessingTime = time;
        // A timer for t fires once the clock is past t (at t + 1, as Flink's getProcessingTimeDelay): records
        // processed during millisecond t still belong to a window whose last millisecond is t.
        _scheduled = _processingTime.RegisterTimer(time + 1, due => _postToMailbox(() => FireProcessingTimers(Math.Max(due, _processingTime.CurrentTime) - 1)));
    }

    public void Dispose() => _scheduled?.Dispose();
}
