using Rill.Functions;
using Rill.Graph;
using Rill.Operators;
using Rill.Windowing;

namespace Rill.Api;

/// <summary>A stream partitioned by key: operators on it have keyed state and timers per key.</summary>
public sealed class KeyedStream<T, TKey> : DataStream<T> where TKey : notnull
{
    internal KeyedStream(StreamExecutionEnvironment environment, Transformation transformation, Func<T, TKey> keySelector)
        : base(environment, transformation) => KeySelector = keySelector;

    public Func<T, TKey> KeySelector { get; }

    private protected override KeyContext<T> CreateKeyContext() => new KeyContext<T, TKey>(KeySelector);

    public DataStream<TOut> Process<TOut>(KeyedProcessFunction<TKey, T, TOut> function) =>
        Transform<TOut>("KeyedProcess", () => new KeyedProcessOperator<TKey, T, TOut>(KeySelector, FunctionCloner.Clone(function)));

    /// <summary>STREAMING: emits the running reduction per record. BATCH: emits the final value per key.</summary>
    public DataStream<T> Reduce(Func<T, T, T> reducer) =>
        Transform<T>("Keyed Reduce", () => new KeyedAggregateOperator<TKey, T, ReduceAccumulator<T>, T>(KeySelector, new ReduceAggregateFunction<T>(reducer), reducer));

    public DataStream<T> Reduce(IReduceFunction<T> function) =>
        Transform<T>("Keyed Reduce", () =>
        {
            var copy = FunctionCloner.Clone(function);
            return new KeyedAggregateOperator<TKey, T, ReduceAccumulator<T>, T>(KeySelector, new ReduceAggregateFunction<T>(copy.Reduce), copy);
        });

    /// <summary>STREAMING: emits the running aggregate per record. BATCH: emits the final result per key.</summary>
    public DataStream<TOut> Aggregate<TAcc, TOut>(IAggregateFunction<T, TAcc, TOut> aggregate) =>
        Transform<TOut>("Keyed Aggregate", () =>
        {
            var copy = FunctionCloner.Clone(aggregate);
            return new KeyedAggregateOperator<TKey, T, TAcc, TOut>(KeySelector, copy, copy);
        });

    public WindowedStream<T, TKey, TWindow> Window<TWindow>(WindowAssigner<T, TWindow> assigner) where TWindow : struct, IWindow =>
        new(this, assigner);
}
