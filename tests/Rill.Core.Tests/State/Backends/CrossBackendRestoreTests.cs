using Rill.State;

namespace Rill.Tests.State.Backends;

/// <summary>
/// Heap and RocksDB write the same snapshot format, so a checkpoint of one restores into the other (Flink's unified
/// savepoint format): a job can switch backends from a checkpoint or savepoint, also while it rescales.
/// </summary>
public sealed class CrossBackendRestoreTests : IDisposable
{
    private readonly TestBackends _backends = new();

    public void Dispose() => _backends.Dispose();

    [Theory]
    [InlineData(StateBackends.Heap, StateBackends.RocksDb)]
    [InlineData(StateBackends.RocksDb, StateBackends.Heap)]
    public void ASnapshotOfOneBackendRestoresIntoTheOther(string from, string to)
    {
        var source = _backends.Create<int>(from);
        var keys = Enumerable.Range(0, 1_000).ToList();
        keys.ForEach(key => SampleState.Write(source, key));

        var target = _backends.Create<int>(to);
        target.Restore(_backends.Snapshot(source));

        keys.ForEach(key => SampleState.Verify(target, key));
        Assert.All(SampleState.EntriesPerKey, s => Assert.Equal(keys.Count * s.PerKey, target.CountEntries(s.State)));
    }

    [Theory]
    [InlineData(StateBackends.Heap)]
    [InlineData(StateBackends.RocksDb)]
    public void ARoundTripThroughTheOtherBackendChangesNothing(string backend)
    {
        var other = backend == StateBackends.Heap ? StateBackends.RocksDb : StateBackends.Heap;
        var original = _backends.Create<int>(backend);
        Enumerable.Range(0, 300).ToList().ForEach(key => SampleState.Write(original, key));
        var there = _backends.Create<int>(other);
        there.Restore(_backends.Snapshot(original));
        SampleState.Register(there);
        var back = _backends.Create<int>(backend);
        back.Restore(_backends.Snapshot(there));
        SampleState.Register(back);

        // Entries of a key group may come in another order from the other backend, so compare what they decode to.
        Assert.Equal(Decoded(original), Decoded(back));
    }

    [Fact]
    public void EveryKeyIsRestoredExactlyOnceWhileBackendsAlternateAcross1Then3Then2Then5Subtasks()
    {
        const int keys = 3_000;
        var redistribution = new KeyGroupRedistribution(_backends);
        KeyedStateBackend<int>[] subtasks = [_backends.CreateSubtask<int>(StateBackends.Heap, 1, 0)];
        for (var key = 0; key < keys; key++)
        {
            SampleState.Write(subtasks[0], key);
        }

        foreach (var (parallelism, backend) in new[] { (3, StateBackends.RocksDb), (2, StateBackends.Heap), (5, StateBackends.RocksDb) })
        {
            subtasks = redistribution.Rescale(subtasks, parallelism, backend);
            KeyedStateBackendContractTests.AssertEveryKeyOnceWithItsValue(subtasks, keys);
        }
    }

    /// <summary>Every state's entries as text, sorted: equal for equal state whatever order the backend iterates in.</summary>
    private static List<string> Decoded(KeyedStateBackend<int> backend) =>
    ((IEnumerable<string>)
    [
        .. backend.GetOrCreateTable<VoidNamespace, long>("count").Entries().Select(e => $"count {e.KeyGroup} {e.Key} {e.Value}"),
        .. backend.GetOrCreateTable<VoidNamespace, List<string>>("visits").Entries().Select(e => $"visits {e.KeyGroup} {e.Key} {string.Join(',', e.Value)}"),
        .. backend.GetOrCreateTable<VoidNamespace, Dictionary<string, long>>("attributes").Entries()
            .Select(e => $"attributes {e.KeyGroup} {e.Key} {string.Join(',', e.Value.OrderBy(p => p.Key, StringComparer.Ordinal))}"),
        .. backend.GetOrCreateTable<VoidNamespace, long>("sum").Entries().Select(e => $"sum {e.KeyGroup} {e.Key} {e.Value}"),
        .. backend.GetOrCreateTable<Rill.Windowing.TimeWindow, long>(SampleState.WindowTable).Entries().Select(e => $"window {e.KeyGroup} {e.Key} {e.Namespace} {e.Value}"),
    ]).Order(StringComparer.Ordinal).ToList();
}
