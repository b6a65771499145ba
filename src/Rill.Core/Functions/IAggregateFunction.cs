namespace Rill.Functions;

/// <summary>Flink's AggregateFunction: incremental aggregation through a mergeable accumulator.</summary>
public interface IAggregateFunction<in TIn, TAcc, out TOut>
{
    TAcc CreateAccumulator();

    TAcc Add(TIn value, TAcc accumulator);

    TOut GetResult(TAcc accumulator);

    TAcc Merge(TAcc a, TAcc b);
}
