using Rill.Serialization;
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
/// InternalTimerService). Firing sets the backend's current key to the timer's key before calling the target.
/// </summary>
/// <remarks>
/// Timers stay on the heap whatever the keyed state backend (Flink's state.backend.rocksdb.timer-service.factory:
/// HEAP): they are few next to the state, read on every watermark, and snapshotted per key group through the backend
/// like any state, so a checkpoint restores them into either backend.
/// </remarks>
internal sealed class InternalTimerService<TKey, TNamespace> : IKeyedStateSnapshotParticipant
    where TKey : notnull
    where TNamespace : notnull
{
    private static readonly TypeSerializer<TKey> KeySerializer = TypeSerializers.For<TKey>();
    private static readonly TypeSerializer<TNamespace> NamespaceSerializer = TypeSerializers.For<TNamespace>();

    private readonly KeyedStateBackend<TKey> _backend;
    private readonly IProcessingTimeService _processingTime;
    private readonly Action<Action> _postToMailbox;
    private readonly TimerQueue<TKey, TNamespace> _eventTimers = new();
    private readonly TimerQueue<TKey, TNamespace> _processingTimers = new();
    private readonly Action<TKey, TNamespace, long> _fireEventTime;
    private readonly Action<TKey, TNamespace, long> _fireProcessingTime;
    private long _scheduledProcessingTime = long.MaxValue;
    private IDisposable? _scheduled;
    private bool _inputEnded;

    public InternalTimerService(KeyedStateBackend<TKey> backend, IProcessingTimeService processingTime, Action<Action> postToMailbox, ITriggerable<TKey, TNamespace> target)
    {
        _backend = backend;
        _processingTime = processingTime;
        _postToMailbox = postToMailbox;
        _fireEventTime = (key, ns, time) =>
        {
            _backend.SetCurrentKey(key);
            target.OnEventTime(key, ns, time);
        };
        _fireProcessingTime = (key, ns, time) =>
        {
            _backend.SetCurrentKey(key);
            target.OnProcessingTime(key, ns, time);
        };
        // Timers are keyed state: a checkpoint holds them per key group, and a restore brings them back here.
        backend.Register("_timers", this);
    }

    public long CurrentWatermark { get; private set; } = long.MinValue;

    public long CurrentProcessingTime => _processingTime.CurrentTime;

    public int NumEventTimeTimers => _eventTimers.Count;

    public int NumProcessingTimeTimers => _processingTimers.Count;

    public void RegisterEventTimeTimer(TNamespace ns, long time) => _eventTimers.Add(time, _backend.CurrentKey, ns);

    public void DeleteEventTimeTimer(TNamespace ns, long time) => _eventTimers.Remove(time, _backend.CurrentKey, ns);

    public void RegisterProcessingTimeTimer(TNamespace ns, long time)
    {
        if (_processingTimers.Add(time, _backend.CurrentKey, ns) && time < _scheduledProcessingTime && !_inputEnded)
        {
            Schedule(time);
        }
    }

    public void DeleteProcessingTimeTimer(TNamespace ns, long time) => _processingTimers.Remove(time, _backend.CurrentKey, ns);

    /// <summary>Fires every event-time timer at or before the watermark, in timestamp order.</summary>
    public void AdvanceWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        _eventTimers.FireUpTo(watermark, _fireEventTime);
    }

    /// <summary>Fires the processing-time timers that are due.</summary>
    public void FireProcessingTimers(long upTo)
    {
        if (_inputEnded)
        {
            return;
        }

        _processingTimers.FireUpTo(upTo, _fireProcessingTime);
        _scheduledProcessingTime = long.MaxValue;
        if (_processingTimers.TryPeekTime(out var next))
        {
            Schedule(next);
        }
    }

    /// <summary>
    /// End of a bounded input: processing time stops, so every processing-time timer registered so far fires now,
    /// once. Timers registered from then on never fire, so a timer that re-registers itself cannot keep the job alive.
    /// </summary>
    public void EndInput()
    {
        _inputEnded = true;
        _scheduled?.Dispose();
        _processingTimers.FirePending(_fireProcessingTime);
    }

    private void Schedule(long time)
    {
        _scheduled?.Dispose();
        _scheduledProcessingTime = time;
        // A timer for t fires once the clock is past t (at t + 1, as Flink's getProcessingTimeDelay): records
        // processed during millisecond t still belong to a window whose last millisecond is t.
        _scheduled = _processingTime.RegisterTimer(time == long.MaxValue ? time : time + 1, due => _postToMailbox(() => FireProcessingTimers(Math.Max(due, _processingTime.CurrentTime) - 1)));
    }

    public void Snapshot(Func<int, DataOutputSerializer> outputForKeyGroup)
    {
        Write(_eventTimers, 0);
        Write(_processingTimers, 1);

        void Write(TimerQueue<TKey, TNamespace> queue, byte domain)
        {
            foreach (var (time, key, ns) in queue.Entries())
            {
                var output = outputForKeyGroup(KeyGroupRangeAssignment.AssignToKeyGroup(key, _backend.MaxParallelism));
                output.WriteByte(domain);
                output.WriteInt64(time);
                KeySerializer.Serialize(key, output);
                NamespaceSerializer.Serialize(ns, output);
            }
        }
    }

    public void Restore(int keyGroup, DataInputView input)
    {
        while (input.Remaining > 0)
        {
            var domain = input.ReadByte();
            var time = input.ReadInt64();
            var key = KeySerializer.Deserialize(input);
            var ns = NamespaceSerializer.Deserialize(input);
            if (domain == 0)
            {
                _eventTimers.Add(time, key, ns);
            }
            else if (_processingTimers.Add(time, key, ns) && time < _scheduledProcessingTime)
            {
                Schedule(time);
            }
        }
    }

    public void Dispose() => _scheduled?.Dispose();
}
