using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Operators;
using Rill.State;

namespace Rill.Windowing;

/// <summary>
/// Keyed windows (Flink's WindowOperator): assigns each record to windows, keeps per (key, window) state in the
/// job's keyed state backend, asks the trigger when to fire, and clears a window once the watermark passes
/// its end plus the allowed lateness. A record that arrives after that goes to the late-data side output when
/// one is set, else it is counted as dropped (never silently).
/// </summary>
internal sealed class WindowOperator<TKey, TIn, TAcc, TOut, TWindow> : KeyedOperatorBase<TKey, TIn, TOut>,
    ITriggerable<TKey, TWindow>, ITriggerContext
    where TKey : notnull
    where TWindow : struct, IWindow
{
    private const string StateName = "_window-contents";
    private readonly WindowAssigner<TIn, TWindow> _assigner;
    private readonly Trigger<TIn, TWindow> _trigger;
    private readonly IWindowAccumulator<TIn, TAcc> _accumulator;
    private readonly IWindowEmitter<TKey, TWindow, TAcc, TOut> _emitter;
    private readonly long _allowedLateness;
    private readonly OutputTag<TIn>? _lateDataTag;
    private readonly List<TWindow> _windows = [];
    private readonly bool _defaultEventTimeTrigger;
    private readonly TimestampedCollector<TOut> _collector = new();
    private KeyedStateTable<TKey, TWindow, TAcc> _table = null!;

    // The heap backend's table, updated in place through a ref: one lookup per record and no copy of the contents.
    private StateTable<TKey, TWindow, TAcc>? _heapTable;
    private InternalTimerService<TKey, TWindow> _timers = null!;
    private WindowFunctionContext<TKey, TWindow, TOut> _functionContext = null!;
    private Dictionary<TKey, List<TimeWindow>>? _sessions;
    private TWindow _currentWindow;

    public WindowOperator(Func<TIn, TKey> keySelector, WindowAssigner<TIn, TWindow> assigner, Trigger<TIn, TWindow>? trigger,
        IWindowAccumulator<TIn, TAcc> accumulator, IWindowEmitter<TKey, TWindow, TAcc, TOut> emitter, TimeSpan allowedLateness, OutputTag<TIn>? lateDataTag)
        : base(keySelector)
    {
        _assigner = assigner;
        _trigger = trigger ?? assigner.DefaultTrigger;
        _accumulator = accumulator;
        _emitter = emitter;
        _allowedLateness = (long)allowedLateness.TotalMilliseconds;
        _lateDataTag = lateDataTag;
        if (_allowedLateness < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(allowedLateness), "Allowed lateness must not be negative.");
        }

        if (assigner.IsMerging && !_trigger.CanMerge)
        {
            throw new ArgumentException($"Trigger {_trigger.GetType().Name} cannot be used with merging (session) windows.");
        }

        _defaultEventTimeTrigger = _trigger is EventTimeTrigger<TIn> && !assigner.IsMerging;
    }

    private Accumulators.LongCounter _lateDropped = null!;

    /// <summary>The job-wide counter of records dropped as late because no late-data side output was set.</summary>
    public const string LateRecordsDroppedCounter = "numLateRecordsDropped";

    public override void Open()
    {
        base.Open();
        _table = KeyedState.GetOrCreateTable<TWindow, TAcc>(StateName);
        _heapTable = _table as StateTable<TKey, TWindow, TAcc>;
        _lateDropped = Context.Accumulators.GetLongCounter(LateRecordsDroppedCounter);
        _timers = new InternalTimerService<TKey, TWindow>(KeyedState, Context.ProcessingTime, Context.PostToMailbox, this);
        _collector.Output = Output;
        _functionContext = new WindowFunctionContext<TKey, TWindow, TOut>(Output, () => Context.ProcessingTime.CurrentTime);
        if (_assigner.IsMerging)
        {
            _sessions = [];
            KeyedState.Register("_session-windows", new SessionWindowsState(_sessions, KeyedState.MaxParallelism));
        }

        _emitter.Open(new StreamingRuntimeContext(Context, KeyedStateAccess));
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        SetKeyContextElement(value);
        _windows.Clear();
        // Reading the clock costs more than the rest of an event-time window update: only processing-time assigners need it.
        var processingTime = _assigner.IsEventTime ? long.MinValue : Context.ProcessingTime.CurrentTime;
        _assigner.AssignWindows(value, timestamp, processingTime, _windows);
        var skipped = true;
        foreach (var assigned in _windows)
        {
            var window = assigned;
            if (_sessions is not null)
            {
                if (!TryMergeSession(ref window))
                {
                    continue;
                }
            }
            else if (IsWindowLate(window))
            {
                continue;
            }

            skipped = false;
            var existed = AddToWindow(value, window);
            if (existed && _defaultEventTimeTrigger && window.MaxTimestamp > _timers.CurrentWatermark)
            {
                // The default trigger's timer for this window is already registered: nothing else can happen.
                continue;
            }

            _currentWindow = window;
            var result = _trigger.OnElement(value, timestamp, window, this);
            Apply(result, window);
            if (!existed)
            {
                RegisterCleanupTimer(window);
            }
        }

        if (skipped && IsElementLate(timestamp))
        {
            if (_lateDataTag is not null)
            {
                Output.CollectSide(_lateDataTag, value, timestamp);
            }
            else
            {
                _lateDropped.Increment();
            }
        }
    }

    /// <summary>Merges a new session window with every overlapping one of the key; false when the result is already late.</summary>
    private bool TryMergeSession(ref TWindow window)
    {
        var sessions = _sessions!;
        var key = KeyedState.CurrentKey;
        var merged = (TimeWindow)(object)window;
        if (!sessions.TryGetValue(key, out var existing))
        {
            sessions[key] = existing = [];
        }

        var absorbed = new List<TimeWindow>();
        bool changed;
        do
        {
            changed = false;
            foreach (var other in existing)
            {
                if (!absorbed.Contains(other) && other.Intersects(merged))
                {
                    merged = merged.Cover(other);
                    absorbed.Add(other);
                    changed = true;
                }
            }
        }
        while (changed);

        var mergedWindow = (TWindow)(object)merged;
        if (IsWindowLate(mergedWindow))
        {
            return false;
        }

        var keyGroup = KeyedState.CurrentKeyGroup;
        var hasState = false;
        TAcc combined = default!;
        foreach (var old in absorbed)
        {
            var oldWindow = (TWindow)(object)old;
            existing.Remove(old);
            if (old.Equals(merged))
            {
                continue;
            }

            if (_table.TryGet(keyGroup, key, oldWindow, out var acc))
            {
                combined = hasState ? _accumulator.Merge(combined, acc) : acc;
                hasState = true;
                _table.Remove(keyGroup, key, oldWindow);
            }

            _currentWindow = oldWindow;
            _trigger.Clear(oldWindow, this);
            DeleteCleanupTimer(oldWindow);
        }

        if (hasState)
        {
            if (_heapTable is { } heap)
            {
                ref var slot = ref heap.GetOrAdd(keyGroup, key, mergedWindow, out var existed);
                slot = existed ? _accumulator.Merge(slot, combined) : combined;
            }
            else
            {
                _table.Put(keyGroup, key, mergedWindow, _table.TryGet(keyGroup, key, mergedWindow, out var slot) ? _accumulator.Merge(slot, combined) : combined);
            }
        }

        existing.Add(merged);
        if (absorbed.Count > 0 && !absorbed.Contains(merged))
        {
            _currentWindow = mergedWindow;
            _trigger.OnMerge(mergedWindow, this);
            RegisterCleanupTimer(mergedWindow);
        }

        window = mergedWindow;
        return true;
    }

    /// <summary>Adds the record to the current key's contents of the window; false when the window had none yet.</summary>
    private bool AddToWindow(TIn value, TWindow window)
    {
        var keyGroup = KeyedState.CurrentKeyGroup;
        var key = KeyedState.CurrentKey;
        if (_heapTable is { } heap)
        {
            ref var slot = ref heap.GetOrAdd(keyGroup, key, window, out var existedOnHeap);
            slot = _accumulator.Add(value, existedOnHeap ? slot : _accumulator.Create());
            return existedOnHeap;
        }

        var existed = _table.TryGet(keyGroup, key, window, out var contents);
        _table.Put(keyGroup, key, window, _accumulator.Add(value, existed ? contents : _accumulator.Create()));
        return existed;
    }

    private void Apply(TriggerResult result, TWindow window)
    {
        if ((result & TriggerResult.Fire) != 0 && _table.TryGet(KeyedState.CurrentKeyGroup, KeyedState.CurrentKey, window, out var contents))
        {
            Emit(window, contents);
        }

        if ((result & TriggerResult.Purge) != 0)
        {
            _table.Remove(KeyedState.CurrentKeyGroup, KeyedState.CurrentKey, window);
        }
    }

    private void Emit(TWindow window, TAcc contents)
    {
        _collector.Timestamp = window.MaxTimestamp;
        _functionContext.Window = window;
        _functionContext.CurrentWatermark = _timers.CurrentWatermark;
        _emitter.Emit(KeyedState.CurrentKey, contents, _functionContext, _collector);
    }

    public void OnEventTime(TKey key, TWindow window, long timestamp)
    {
        _currentWindow = window;
        Apply(_trigger.OnEventTime(timestamp, window, this), window);
        if (_assigner.IsEventTime && timestamp == CleanupTime(window))
        {
            ClearAllState(window);
        }
    }

    public void OnProcessingTime(TKey key, TWindow window, long timestamp)
    {
        _currentWindow = window;
        Apply(_trigger.OnProcessingTime(timestamp, window, this), window);
        if (!_assigner.IsEventTime && timestamp == CleanupTime(window))
        {
            ClearAllState(window);
        }
    }

    private void ClearAllState(TWindow window)
    {
        _table.Remove(KeyedState.CurrentKeyGroup, KeyedState.CurrentKey, window);
        _trigger.Clear(window, this);
        if (_sessions is not null && _sessions.TryGetValue(KeyedState.CurrentKey, out var list))
        {
            list.Remove((TimeWindow)(object)window);
            if (list.Count == 0)
            {
                _sessions.Remove(KeyedState.CurrentKey);
            }
        }
    }

    protected override void OnWatermark(Watermark watermark) => _timers.AdvanceWatermark(watermark.Timestamp);

    public override void Finish() => _timers.EndInput();

    public override void Close()
    {
        try
        {
            _timers?.Dispose();
            _emitter.Close();
        }
        finally
        {
            base.Close();
        }
    }

    private long CleanupTime(TWindow window)
    {
        if (!_assigner.IsEventTime)
        {
            return window.MaxTimestamp;
        }

        var cleanup = window.MaxTimestamp + _allowedLateness;
        return cleanup >= window.MaxTimestamp ? cleanup : long.MaxValue;
    }

    private bool IsWindowLate(TWindow window) => _assigner.IsEventTime && CleanupTime(window) <= _timers.CurrentWatermark;

    private bool IsElementLate(long timestamp) => _assigner.IsEventTime && timestamp + _allowedLateness <= _timers.CurrentWatermark;

    private void RegisterCleanupTimer(TWindow window)
    {
        var time = CleanupTime(window);
        if (time == long.MaxValue)
        {
            return;
        }

        if (_assigner.IsEventTime)
        {
            _timers.RegisterEventTimeTimer(window, time);
        }
        else
        {
            _timers.RegisterProcessingTimeTimer(window, time);
        }
    }

    private void DeleteCleanupTimer(TWindow window)
    {
        var time = CleanupTime(window);
        if (_assigner.IsEventTime)
        {
            _timers.DeleteEventTimeTimer(window, time);
        }
        else
        {
            _timers.DeleteProcessingTimeTimer(window, time);
        }
    }

    // ITriggerContext: timers for the current key and the window being evaluated.
    long ITriggerContext.CurrentWatermark => _timers.CurrentWatermark;

    public long CurrentProcessingTime => Context.ProcessingTime.CurrentTime;

    public void RegisterEventTimeTimer(long time) => _timers.RegisterEventTimeTimer(_currentWindow, time);

    public void RegisterProcessingTimeTimer(long time) => _timers.RegisterProcessingTimeTimer(_currentWindow, time);

    public void DeleteEventTimeTimer(long time) => _timers.DeleteEventTimeTimer(_currentWindow, time);

    public void DeleteProcessingTimeTimer(long time) => _timers.DeleteProcessingTimeTimer(_currentWindow, time);

    /// <summary>
    /// The merged session windows per key are keyed state too: snapshotted per key group with the contents. They stay
    /// on the heap with either backend, as timers do: a few windows per active key, read on every record of the key.
    /// </summary>
    private sealed class SessionWindowsState(Dictionary<TKey, List<TimeWindow>> sessions, int maxParallelism) : IKeyedStateSnapshotParticipant
    {
        private static readonly Serialization.TypeSerializer<TKey> KeySerializer = Serialization.TypeSerializers.For<TKey>();

        public void Snapshot(Func<int, Serialization.DataOutputSerializer> outputForKeyGroup)
        {
            foreach (var (key, windows) in sessions)
            {
                var output = outputForKeyGroup(KeyGroupRangeAssignment.AssignToKeyGroup(key, maxParallelism));
                KeySerializer.Serialize(key, output);
                output.WriteInt32(windows.Count);
                foreach (var window in windows)
                {
                    output.WriteInt64(window.Start);
                    output.WriteInt64(window.End);
                }
            }
        }

        public void Restore(int keyGroup, Serialization.DataInputView input)
        {
            while (input.Remaining > 0)
            {
                var key = KeySerializer.Deserialize(input);
                var count = input.ReadInt32();
                var windows = new List<TimeWindow>(count);
                for (var i = 0; i < count; i++)
                {
                    windows.Add(new TimeWindow(input.ReadInt64(), input.ReadInt64()));
                }

                sessions[key] = windows;
            }
        }
    }
}
