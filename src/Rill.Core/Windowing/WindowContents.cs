using Rill.Api;
using Rill.Functions;
using Rill.Operators;

namespace Rill.Windowing;

/// <summary>How a window's state grows with each record and how two windows' states merge (session windows).</summary>
internal interface IWindowAccumulator<in TIn, TAcc>
{
    TAcc Create();

    TAcc Add(TIn value, TAcc accumulator);

    TAcc Merge(TAcc a, TAcc b);
}

internal sealed class AggregatingWindowAccumulator<TIn, TAcc, TResult>(IAggregateFunction<TIn, TAcc, TResult> aggregate) : IWindowAccumulator<TIn, TAcc>
{
    public TAcc Create() => aggregate.CreateAccumulator();

    public TAcc Add(TIn value, TAcc accumulator) => aggregate.Add(value, accumulator);

    public TAcc Merge(TAcc a, TAcc b) => aggregate.Merge(a, b);
}

/// <summary>Keeps every element, for process-window functions that need them all.</summary>
internal sealed class ListWindowAccumulator<TIn> : IWindowAccumulator<TIn, List<TIn>>
{
    public List<TIn> Create() => [];

    public List<TIn> Add(TIn value, List<TIn> accumulator)
    {
        accumulator.Add(value);
        return accumulator;
    }

    public List<TIn> Merge(List<TIn> a, List<TIn> b)
    {
        a.AddRange(b);
        return a;
    }
}

/// <summary>Turns a window's state into output when the window fires.</summary>
internal interface IWindowEmitter<TKey, TWindow, in TAcc, TOut> where TWindow : IWindow
{
    void Open(IRuntimeContext context);

    void Emit(TKey key, TAcc accumulator, WindowFunctionContext<TKey, TWindow, TOut> windowContext, ICollector<TOut> output);

    void Close();
}

/// <summary>Emitters whose only function is the aggregate itself: they open and close it if it is a rich function.</summary>
internal abstract class AggregateEmitterBase(object aggregate)
{
    public void Open(IRuntimeContext context)
    {
        if (aggregate is IRichFunction rich)
        {
            rich.Open(context);
        }
    }

    public void Close()
    {
        if (aggregate is IRichFunction rich)
        {
            rich.Close();
        }
    }
}

internal sealed class AggregateResultEmitter<TKey, TWindow, TIn, TAcc, TOut>(IAggregateFunction<TIn, TAcc, TOut> aggregate)
    : AggregateEmitterBase(aggregate), IWindowEmitter<TKey, TWindow, TAcc, TOut>
    where TWindow : IWindow
{
    public void Emit(TKey key, TAcc accumulator, WindowFunctionContext<TKey, TWindow, TOut> windowContext, ICollector<TOut> output) =>
        output.Collect(aggregate.GetResult(accumulator));
}

internal sealed class AggregateThenProcessEmitter<TKey, TWindow, TIn, TAcc, TMid, TOut>(
    IAggregateFunction<TIn, TAcc, TMid> aggregate, ProcessWindowFunction<TMid, TOut, TKey, TWindow> function)
    : IWindowEmitter<TKey, TWindow, TAcc, TOut>
    where TWindow : IWindow
{
    private readonly TMid[] _single = new TMid[1];
    private ProcessWindowFunction<TMid, TOut, TKey, TWindow>.Context? _context;

    public void Open(IRuntimeContext context) => function.Open(context);

    public void Emit(TKey key, TAcc accumulator, WindowFunctionContext<TKey, TWindow, TOut> windowContext, ICollector<TOut> output)
    {
        _single[0] = aggregate.GetResult(accumulator);
        function.Process(key, _context ??= new WindowFunctionContextAdapter<TMid, TOut, TKey, TWindow>(windowContext), _single, output);
    }

    public void Close() => function.Close();
}

/// <summary>Aggregates, then maps the result with key and window: a direct call, nothing allocated per firing.</summary>
internal sealed class AggregateThenMapEmitter<TKey, TWindow, TIn, TAcc, TMid, TOut>(
    IAggregateFunction<TIn, TAcc, TMid> aggregate, Func<TKey, TWindow, TMid, TOut> map)
    : AggregateEmitterBase(aggregate), IWindowEmitter<TKey, TWindow, TAcc, TOut>
    where TWindow : IWindow
{
    public void Emit(TKey key, TAcc accumulator, WindowFunctionContext<TKey, TWindow, TOut> windowContext, ICollector<TOut> output) =>
        output.Collect(map(key, windowContext.Window, aggregate.GetResult(accumulator)));
}

internal sealed class ProcessAllEmitter<TKey, TWindow, TIn, TOut>(ProcessWindowFunction<TIn, TOut, TKey, TWindow> function)
    : IWindowEmitter<TKey, TWindow, List<TIn>, TOut>
    where TWindow : IWindow
{
    private ProcessWindowFunction<TIn, TOut, TKey, TWindow>.Context? _context;

    public void Open(IRuntimeContext context) => function.Open(context);

    public void Emit(TKey key, List<TIn> accumulator, WindowFunctionContext<TKey, TWindow, TOut> windowContext, ICollector<TOut> output) =>
        function.Process(key, _context ??= new WindowFunctionContextAdapter<TIn, TOut, TKey, TWindow>(windowContext), accumulator, output);

    public void Close() => function.Close();
}

/// <summary>What a firing window exposes to window functions; one instance per operator, updated before each firing.</summary>
internal sealed class WindowFunctionContext<TKey, TWindow, TOut>(IOutput<TOut> output, Func<long> processingTime) where TWindow : IWindow
{
    public TWindow Window { get; set; } = default!;

    public long CurrentWatermark { get; set; }

    public long CurrentProcessingTime => processingTime();

    public void Output<TSide>(OutputTag<TSide> tag, TSide value) => output.CollectSide(tag, value, Window.MaxTimestamp);
}

internal sealed class WindowFunctionContextAdapter<TIn, TOut, TKey, TWindow>(WindowFunctionContext<TKey, TWindow, TOut> inner)
    : ProcessWindowFunction<TIn, TOut, TKey, TWindow>.Context
    where TWindow : IWindow
{
    public override TWindow Window => inner.Window;

    public override long CurrentWatermark => inner.CurrentWatermark;

    public override long CurrentProcessingTime => inner.CurrentProcessingTime;

    public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => inner.Output(tag, value);
}
