using Rill.Functions;
using Rill.State;

namespace Rill.Operators;

/// <summary>
/// Keyed Reduce/Aggregate as in Flink: in STREAMING every record updates its key's accumulator and emits the
/// new result (a rolling aggregate); in BATCH only the final result per key is emitted, when input ends.
/// </summary>
internal sealed class KeyedAggregateOperator<TKey, TIn, TAcc, TOut>(Func<TIn, TKey> keySelector, IAggregateFunction<TIn, TAcc, TOut> aggregate, object function)
    : KeyedOperatorBase<TKey, TIn, TOut>(keySelector)
    where TKey : notnull
{
    private const string StateName = "_keyed-aggregate";
    private KeyedStateTable<TKey, VoidNamespace, TAcc> _table = null!;

    // The heap backend's table, updated in place through a ref: one lookup per record and no copy of the accumulator.
    private StateTable<TKey, VoidNamespace, TAcc>? _heapTable;
    private bool _batch;

    public override void Open()
    {
        base.Open();
        _batch = Context.IsBatch;
        _table = KeyedState.GetOrCreateTable<VoidNamespace, TAcc>(StateName);
        _heapTable = _table as StateTable<TKey, VoidNamespace, TAcc>;
        OpenFunction(function, new StreamingRuntimeContext(Context, KeyedStateAccess));
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        SetKeyContextElement(value);
        TAcc updated;
        if (_heapTable is { } heap)
        {
            ref var accumulator = ref heap.GetOrAdd(KeyedState.CurrentKeyGroup, KeyedState.CurrentKey, default, out var existed);
            updated = aggregate.Add(value, existed ? accumulator : aggregate.CreateAccumulator());
            accumulator = updated;
        }
        else
        {
            var existed = _table.TryGet(KeyedState.CurrentKeyGroup, KeyedState.CurrentKey, default, out var accumulator);
            updated = aggregate.Add(value, existed ? accumulator : aggregate.CreateAccumulator());
            _table.Put(KeyedState.CurrentKeyGroup, KeyedState.CurrentKey, default, updated);
        }

        if (!_batch)
        {
            Output.Collect(aggregate.GetResult(updated), timestamp);
        }
    }

    public override void Finish()
    {
        if (!_batch)
        {
            return;
        }

        foreach (var (_, _, _, accumulator) in _table.Entries())
        {
            Output.Collect(aggregate.GetResult(accumulator), StreamRecords.NoTimestamp);
        }
    }

    public override void Close()
    {
        try
        {
            CloseFunction(function);
        }
        finally
        {
            base.Close();
        }
    }
}

/// <summary>Reduce expressed as an aggregate whose accumulator is the reduced value itself.</summary>
internal sealed class ReduceAggregateFunction<T>(Func<T, T, T> reduce) : IAggregateFunction<T, ReduceAccumulator<T>, T>
{
    public ReduceAccumulator<T> CreateAccumulator() => default;

    public ReduceAccumulator<T> Add(T value, ReduceAccumulator<T> accumulator) =>
        new(true, accumulator.HasValue ? reduce(accumulator.Value, value) : value);

    public T GetResult(ReduceAccumulator<T> accumulator) => accumulator.Value;

    public ReduceAccumulator<T> Merge(ReduceAccumulator<T> a, ReduceAccumulator<T> b) =>
        !a.HasValue ? b : !b.HasValue ? a : new(true, reduce(a.Value, b.Value));
}

internal readonly record struct ReduceAccumulator<T>(bool HasValue, T Value);
