using System.Runtime.InteropServices;
using Rill.Functions;
using Rill.State;

namespace Rill.Bench.Checkpointing;

/// <summary>checkpoint-overhead: a running count per key in <c>ValueState&lt;long&gt;</c>; emits the new count.</summary>
public sealed class CountPerKey : KeyedProcessFunction<int, long, long>
{
    private static readonly long StallTicks = System.Diagnostics.Stopwatch.Frequency / 1000;
    private IValueState<long> _count = null!;
    private long _lastLook;
    private SubtaskMarks _marks = null!;

    public override void Open(IRuntimeContext context)
    {
        base.Open(context);
        _marks = Probe.For(context.AttemptNumber, context.IndexOfThisSubtask, context.NumberOfParallelSubtasks);
        _count = context.GetState(new ValueStateDescriptor<long>("count", 0));
    }

    public override void ProcessElement(long value, Context context, ICollector<long> output)
    {
        var count = _count.Value + 1;
        _count.Update(count);
        if ((++_marks.Records & 63) == 0)
        {
            // Every 64th record: a gap of more than 1 ms since the last look is a stall (checkpoint alignment, the
            // sync snapshot, GC, or the thread waiting for a core).
            var now = Probe.Now;
            if (_lastLook != 0 && now - _lastLook > StallTicks)
            {
                _marks.Stalls++;
                _marks.StallTicks += now - _lastLook;
            }

            _lastLook = now;
        }

        output.Collect(count);
    }
}

/// <summary>
/// A per-key running aggregate of 96 bytes (a blittable struct: Rill serializes it byte for byte, and the heap
/// backend stores it inline in its dictionaries): count, sum, min, max, last value and 7 buckets.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Features
{
    public long Count;
    public long Sum;
    public long Min;
    public long Max;
    public long Last;
    public long B0;
    public long B1;
    public long B2;
    public long B3;
    public long B4;
    public long B5;
    public long B6;

    public void Add(long value)
    {
        if (Count == 0 || value < Min)
        {
            Min = value;
        }

        if (Count == 0 || value > Max)
        {
            Max = value;
        }

        Count++;
        Sum += value;
        Last = value;
        switch (value % 7)
        {
            case 0: B0++; break;
            case 1: B1++; break;
            case 2: B2++; break;
            case 3: B3++; break;
            case 4: B4++; break;
            case 5: B5++; break;
            default: B6++; break;
        }
    }
}

/// <summary>
/// rescale-pause: updates the key's <see cref="Features"/> (<c>ValueState</c>) and marks, per subtask attempt, when
/// it opened (state is registered, so restored, in <see cref="Open"/>), its first and last record, and every key it
/// found without state.
/// </summary>
public sealed class FeaturesPerKey : KeyedProcessFunction<int, long, long>
{
    private IValueState<Features> _features = null!;
    private SubtaskMarks _marks = null!;

    public override void Open(IRuntimeContext context)
    {
        base.Open(context);
        _marks = Probe.For(context.AttemptNumber, context.IndexOfThisSubtask, context.NumberOfParallelSubtasks);
        _marks.OpenStart = Probe.Now;
        _features = context.GetState(new ValueStateDescriptor<Features>("features"));
        _marks.OpenEnd = Probe.Now;
    }

    public override void ProcessElement(long value, Context context, ICollector<long> output)
    {
        var now = Probe.Now;
        if (_marks.FirstRecord == 0)
        {
            _marks.FirstRecord = now;
        }

        var features = _features.Value;
        if (features.Count == 0)
        {
            _marks.NewKeys++;
        }

        features.Add(value);
        _features.Update(features);
        _marks.Records++;
        _marks.LastRecord = now;
        output.Collect(features.Count);
    }

    public override void Close() => _marks.Close = Probe.Now;
}
