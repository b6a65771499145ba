using Rill.Functions;
using Rill.Operators;
using Rill.Windowing;

namespace Rill.Api;

/// <summary>A keyed stream cut into windows; finish it with Reduce, Aggregate or Process.</summary>
public sealed class WindowedStream<T, TKey, TWindow>
    where TKey : notnull
    where TWindow : struct, IWindow
{
    private readonly KeyedStream<T, TKey> _input;
    private readonly WindowAssigner<T, TWindow> _assigner;
    private Trigger<T, TWindow>? _trigger;
    private TimeSpan _allowedLateness = TimeSpan.Zero;
    private OutputTag<T>? _lateDataTag;

    internal WindowedStream(KeyedStream<T, TKey> input, WindowAssigner<T, TWindow> assigner)
    {
        _input = input;
        _assigner = assigner;
    }

    public WindowedStream<T, TKey, TWindow> Trigger(Trigger<T, TWindow> trigger)
    {
        _trigger = trigger;
        return this;
    }

    /// <summary>Keeps window state this long after the watermark passes the window's end; late records within it fire the window again.</summary>
    public WindowedStream<T, TKey, TWindow> AllowedLateness(TimeSpan lateness)
    {
        if (lateness < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lateness), "Allowed lateness must not be negative.");
        }

        if (lateness > TimeSpan.Zero && !_assigner.IsEventTime)
        {
            throw new ArgumentException("Allowed lateness applies to event-time windows only.");
        }

        _allowedLateness = lateness;
        return this;
    }

    /// <summary>Records too late for any window go to this side output instead of being counted as dropped.</summary>
    public WindowedStream<T, TKey, TWindow> SideOutputLateData(OutputTag<T> tag)
    {
        _lateDataTag = tag;
        return this;
    }

    public DataStream<T> Reduce(Func<T, T, T> reducer) =>
        Aggregate(new ReduceAggregateFunction<T>(reducer));

    public DataStream<TOut> Reduce<TOut>(Func<T, T, T> reducer, ProcessWindowFunction<T, TOut, TKey, TWindow> function) =>
        Aggregate(new ReduceAggregateFunction<T>(reducer), function);

    public DataStream<TOut> Aggregate<TAcc, TOut>(IAggregateFunction<T, TAcc, TOut> aggregate) =>
        Build<TAcc, TOut>("Window Aggregate", () =>
        {
            var copy = FunctionCloner.Clone(aggregate);
            return (new AggregatingWindowAccumulator<T, TAcc, TOut>(copy), new AggregateResultEmitter<TKey, TWindow, T, TAcc, TOut>(copy));
        });

    public DataStream<TOut> Aggregate<TAcc, TMid, TOut>(IAggregateFunction<T, TAcc, TMid> aggregate, ProcessWindowFunction<TMid, TOut, TKey, TWindow> function) =>
        Build<TAcc, TOut>("Window Aggregate", () =>
        {
            var copy = FunctionCloner.Clone(aggregate);
            return (new AggregatingWindowAccumulator<T, TAcc, TMid>(copy),
                new AggregateThenProcessEmitter<TKey, TWindow, T, TAcc, TMid, TOut>(copy, FunctionCloner.Clone(function)));
        });

    /// <summary>Aggregates incrementally, then maps each window's result with its key and window (e.g. to add the window bounds).</summary>
    public DataStream<TOut> Aggregate<TAcc, TMid, TOut>(IAggregateFunction<T, TAcc, TMid> aggregate, Func<TKey, TWindow, TMid, TOut> windowFunction) =>
        Build<TAcc, TOut>("Window Aggregate", () =>
        {
            var copy = FunctionCloner.Clone(aggregate);
            return (new AggregatingWindowAccumulator<T, TAcc, TMid>(copy), new AggregateThenMapEmitter<TKey, TWindow, T, TAcc, TMid, TOut>(copy, windowFunction));
        });

    /// <summary>Keeps every element of a window and hands them all to the function when it fires.</summary>
    public DataStream<TOut> Process<TOut>(ProcessWindowFunction<T, TOut, TKey, TWindow> function) =>
        Build<List<T>, TOut>("Window Process", () =>
            (new ListWindowAccumulator<T>(), new ProcessAllEmitter<TKey, TWindow, T, TOut>(FunctionCloner.Clone(function))));

    private DataStream<TOut> Build<TAcc, TOut>(string name, Func<(IWindowAccumulator<T, TAcc>, IWindowEmitter<TKey, TWindow, TAcc, TOut>)> parts)
    {
        var keySelector = _input.KeySelector;
        var assigner = _assigner;
        var trigger = _trigger;
        var lateness = _allowedLateness;
        var lateTag = _lateDataTag;
        // Validate now, where the program is written, not when the first subtask starts.
        var (probeAccumulator, probeEmitter) = parts();
        _ = new WindowOperator<TKey, T, TAcc, TOut, TWindow>(keySelector, assigner, trigger, probeAccumulator, probeEmitter, lateness, lateTag);
        return _input.Transform<TOut>($"{name} ({assigner})", () =>
        {
            var (accumulator, emitter) = parts();
            return new WindowOperator<TKey, T, TAcc, TOut, TWindow>(keySelector, assigner, trigger, accumulator, emitter, lateness, lateTag);
        });
    }
}
