using Rill.Windowing;

namespace Rill.Functions;

// Adapters so the API can take plain lambdas wherever Flink takes a function object.

internal sealed class LambdaAggregateFunction<TIn, TAcc, TOut>(
    Func<TAcc> create, Func<TIn, TAcc, TAcc> add, Func<TAcc, TOut> result, Func<TAcc, TAcc, TAcc> merge)
    : IAggregateFunction<TIn, TAcc, TOut>
{
    public TAcc CreateAccumulator() => create();
    public TAcc Add(TIn value, TAcc accumulator) => add(value, accumulator);
    public TOut GetResult(TAcc accumulator) => result(accumulator);
    public TAcc Merge(TAcc a, TAcc b) => merge(a, b);
}

internal sealed class LambdaProcessWindowFunction<TIn, TOut, TKey, TWindow>(Func<TKey, TWindow, TIn, TOut> function)
    : ProcessWindowFunction<TIn, TOut, TKey, TWindow>
    where TWindow : IWindow
{
    public override void Process(TKey key, Context context, IEnumerable<TIn> elements, ICollector<TOut> output)
    {
        foreach (var element in elements)
        {
            output.Collect(function(key, context.Window, element));
        }
    }
}
