namespace Rill.Accumulators;

/// <summary>A per-subtask counter; the job result sums every subtask's value under the counter's name.</summary>
public sealed class LongCounter
{
    private long _value;

    public long Value => Volatile.Read(ref _value);

    public void Add(long delta) => Interlocked.Add(ref _value, delta);

    public void Increment() => Interlocked.Increment(ref _value);
}
