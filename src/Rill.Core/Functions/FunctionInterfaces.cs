namespace Rill.Functions;

// Interfaces for users who prefer classes to lambdas (and need Open/Close through IRichFunction).

public interface IMapFunction<in TIn, out TOut>
{
    TOut Map(TIn value);
}

public interface IFilterFunction<in T>
{
    bool Filter(T value);
}

public interface IFlatMapFunction<in TIn, out TOut>
{
    void FlatMap(TIn value, ICollector<TOut> output);
}

public interface IReduceFunction<T>
{
    T Reduce(T accumulated, T value);
}

public interface IKeySelector<in T, out TKey>
{
    TKey GetKey(T value);
}

public interface ISinkFunction<in T>
{
    void Invoke(T value);
}
