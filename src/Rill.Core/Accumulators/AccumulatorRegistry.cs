using System.Collections.Concurrent;

namespace Rill.Accumulators;

/// <summary>The counters one subtask created; reported with its final state.</summary>
public sealed class AccumulatorRegistry
{
    private readonly ConcurrentDictionary<string, LongCounter> _counters = new(StringComparer.Ordinal);

    public LongCounter GetLongCounter(string name) => _counters.GetOrAdd(name, _ => new LongCounter());

    public IReadOnlyDictionary<string, long> Snapshot() => _counters.ToDictionary(kv => kv.Key, kv => kv.Value.Value, StringComparer.Ordinal);
}
