namespace Rill.Functions;

/// <summary>Counts records; the accumulator is a plain long, so counting allocates nothing.</summary>
public sealed class CountAggregate<T> : IAggregateFunction<T, long, long>
{
    public long CreateAccumulator() => 0;

    public long Add(T value, long accumulator) => accumulator + 1;

    public long GetResult(long accumulator) => accumulator;

    public long Merge(long a, long b) => a + b;
}
