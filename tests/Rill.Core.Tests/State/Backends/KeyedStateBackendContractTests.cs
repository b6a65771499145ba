using Rill.State;
using Rill.Windowing;

namespace Rill.Tests.State.Backends;

/// <summary>
/// What every keyed state backend must do alike, run against each backend by a subclass: the semantics of each kind of
/// state, namespaces, key groups, snapshots that restore, and rescaling by key group. Operators and checkpoints rely
/// on nothing else, which is what makes backends interchangeable.
/// </summary>
public abstract class KeyedStateBackendContractTests : IDisposable
{
    private readonly TestBackends _backends = new();

    /// <summary>The backend's name, as jobs select it.</summary>
    protected abstract string Backend { get; }

    public void Dispose() => _backends.Dispose();

    private KeyedStateBackend<TKey> NewBackend<TKey>(KeyGroupRange? range = null) where TKey : notnull => _backends.Create<TKey>(Backend, range);

    [Fact]
    public void ValueStateIsPerKeyAndFallsBackToTheDefault()
    {
        var backend = NewBackend<int>();
        var state = backend.GetState(new ValueStateDescriptor<string>("name", "unset"));
        backend.SetCurrentKey(1);
        Assert.Equal("unset", state.Value);
        state.Update("one");
        backend.SetCurrentKey(2);
        Assert.Equal("unset", state.Value);
        state.Update("two");
        state.Update("zwei");
        backend.SetCurrentKey(1);
        Assert.Equal("one", state.Value);
        state.Clear();
        Assert.Equal("unset", state.Value);
        backend.SetCurrentKey(2);
        Assert.Equal("zwei", state.Value);
        Assert.Equal(1, backend.CountEntries("name"));
    }

    [Fact]
    public void ListStateAddsUpdatesAndClears()
    {
        var backend = NewBackend<int>();
        var state = backend.GetListState(new ListStateDescriptor<int>("list"));
        backend.SetCurrentKey(1);
        Assert.Empty(state.Get());
        state.Add(1);
        state.AddAll([2, 3]);
        state.Add(4);
        backend.SetCurrentKey(2);
        state.Update([9, 8]);
        backend.SetCurrentKey(3);
        state.AddAll([]);
        backend.SetCurrentKey(1);
        Assert.Equal([1, 2, 3, 4], state.Get());
        Assert.Equal(2, backend.CountEntries("list")); // adding nothing to key 3 made no entry
        state.Update([]);
        Assert.Empty(state.Get());
        Assert.Equal(1, backend.CountEntries("list")); // an empty list is no entry
        backend.SetCurrentKey(2);
        Assert.Equal([9, 8], state.Get());
        state.Clear();
        Assert.Empty(state.Get());
        Assert.Equal(0, backend.CountEntries("list"));
    }

    [Fact]
    public void MapStatePutsGetsRemovesPerKey()
    {
        var backend = NewBackend<int>();
        var state = backend.GetMapState(new MapStateDescriptor<string, int>("map"));
        backend.SetCurrentKey(1);
        Assert.True(state.IsEmpty);
        Assert.False(state.TryGetValue("a", out _));
        state.Put("a", 1);
        state.Put("b", 2);
        state.Put("a", 3);
        backend.SetCurrentKey(2);
        Assert.True(state.IsEmpty);
        Assert.False(state.Contains("a"));
        Assert.Equal(0, state.Get("a"));
        state.Put("z", 26);
        backend.SetCurrentKey(1);
        Assert.False(state.IsEmpty);
        Assert.True(state.Contains("a"));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 3, ["b"] = 2 }, state.Entries().ToDictionary());
        Assert.True(state.TryGetValue("b", out var b));
        Assert.Equal(2, b);
        Assert.Equal(2, backend.CountEntries("map")); // one entry per key's map, not per map entry
        state.Remove("a");
        state.Remove("nothing");
        Assert.Equal(new Dictionary<string, int> { ["b"] = 2 }, state.Entries().ToDictionary());
        state.Remove("b");
        Assert.True(state.IsEmpty);
        Assert.Empty(state.Entries());
        Assert.Equal(1, backend.CountEntries("map"));
        backend.SetCurrentKey(2);
        Assert.Equal(26, state.Get("z"));
        state.Clear();
        Assert.True(state.IsEmpty);
    }

    [Fact]
    public void MapStateKeepsManyMapsWithManyEntriesApart()
    {
        var backend = NewBackend<string>();
        var state = backend.GetMapState(new MapStateDescriptor<int, string>("map"));
        for (var key = 0; key < 50; key++)
        {
            backend.SetCurrentKey($"user-{key}");
            for (var entry = 0; entry <= key; entry++)
            {
                state.Put(entry, $"{key}/{entry}");
            }
        }

        for (var key = 0; key < 50; key++)
        {
            backend.SetCurrentKey($"user-{key}");
            Assert.Equal(Enumerable.Range(0, key + 1).ToDictionary(e => e, e => $"{key}/{e}"), state.Entries().ToDictionary());
        }

        Assert.Equal(50, backend.CountEntries("map"));
    }

    [Fact]
    public void ReducingStateReducesPerKey()
    {
        var backend = NewBackend<int>();
        var state = backend.GetReducingState(new ReducingStateDescriptor<long>("sum", (a, b) => a + b));
        var values = Enumerable.Range(0, 200).Select(i => (Key: i % 7, Value: (long)i * i)).ToList();
        foreach (var (key, value) in values)
        {
            backend.SetCurrentKey(key);
            state.Add(value);
        }

        foreach (var group in values.GroupBy(v => v.Key))
        {
            backend.SetCurrentKey(group.Key);
            Assert.Equal(group.Sum(v => v.Value), state.Get());
        }

        backend.SetCurrentKey(100);
        Assert.Equal(0, state.Get()); // nothing added for this key
        backend.SetCurrentKey(3);
        state.Clear();
        Assert.Equal(0, state.Get());
        Assert.Equal(6, backend.CountEntries("sum"));
    }

    [Fact]
    public void StatesOfDifferentNamesAreIndependent()
    {
        var backend = NewBackend<int>();
        var first = backend.GetState(new ValueStateDescriptor<int>("first"));
        var second = backend.GetState(new ValueStateDescriptor<int>("second"));
        backend.SetCurrentKey(5);
        first.Update(1);
        second.Update(2);
        first.Clear();
        Assert.Equal(0, first.Value);
        Assert.Equal(2, second.Value);
    }

    [Fact]
    public void AStateNameCannotBeReusedForAnotherKindOrType()
    {
        var backend = NewBackend<int>();
        Assert.Same(backend.GetState(new ValueStateDescriptor<int>("s")), backend.GetState(new ValueStateDescriptor<int>("s")));
        Assert.Throws<InvalidOperationException>(() => backend.GetListState(new ListStateDescriptor<int>("s")));
        Assert.Throws<InvalidOperationException>(() => backend.GetState(new ValueStateDescriptor<long>("s")));
        Assert.Throws<InvalidOperationException>(() => backend.GetOrCreateTable<TimeWindow, int>("s"));
    }

    [Fact]
    public void NamespacesKeepEachWindowOfAKeyApart()
    {
        var backend = NewBackend<string>();
        var table = backend.GetOrCreateTable<TimeWindow, List<int>>("_window-contents");
        var (early, late) = (new TimeWindow(0, 1000), new TimeWindow(1000, 2000));
        backend.SetCurrentKey("k");
        table.Put(backend.CurrentKeyGroup, "k", early, [1, 2]);
        table.Put(backend.CurrentKeyGroup, "k", late, [3]);
        backend.SetCurrentKey("other");
        table.Put(backend.CurrentKeyGroup, "other", early, [9]);

        backend.SetCurrentKey("k");
        Assert.True(table.TryGet(backend.CurrentKeyGroup, "k", early, out var contents));
        Assert.Equal([1, 2], contents);
        table.Remove(backend.CurrentKeyGroup, "k", early); // a window fired and was purged
        Assert.False(table.TryGet(backend.CurrentKeyGroup, "k", early, out _));
        Assert.True(table.TryGet(backend.CurrentKeyGroup, "k", late, out contents));
        Assert.Equal([3], contents);
        Assert.False(table.TryGet(backend.CurrentKeyGroup, "k", new TimeWindow(0, 999), out _));
        Assert.Equal(
            [("k", late, 1), ("other", early, 1)],
            table.Entries().Select(e => (e.Key, e.Namespace, e.Value.Count)).OrderBy(e => e.Key, StringComparer.Ordinal).ToList());
        Assert.Equal(2, backend.CountEntries("_window-contents"));
    }

    [Fact]
    public void EntriesAreStoredUnderTheKeyGroupOfTheirKey()
    {
        var backend = NewBackend<string>();
        var state = backend.GetState(new ValueStateDescriptor<int>("value"));
        var keys = Enumerable.Range(0, 1000).Select(i => $"user-{i}").ToList();
        foreach (var key in keys)
        {
            backend.SetCurrentKey(key);
            state.Update(key.Length);
        }

        var entries = backend.GetOrCreateTable<VoidNamespace, int>("value").Entries().ToList();
        Assert.Equal(keys.Count, entries.Count);
        Assert.Equal(keys.Count, backend.CountEntries("value"));
        Assert.All(entries, e => Assert.Equal(KeyGroupRangeAssignment.AssignToKeyGroup(e.Key, TestBackends.MaxParallelism), e.KeyGroup));
        Assert.Equal(entries.Select(e => e.KeyGroup).Order(), entries.Select(e => e.KeyGroup)); // enumerated key group by key group
        Assert.Equal(keys.Order(StringComparer.Ordinal), entries.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ASubtaskBackendOnlyAcceptsKeysOfItsOwnKeyGroups()
    {
        var range = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(TestBackends.MaxParallelism, 4, 1);
        var backend = NewBackend<int>(range);
        var owned = Enumerable.Range(0, 2000).Where(k => range.Contains(KeyGroupRangeAssignment.AssignToKeyGroup(k, TestBackends.MaxParallelism))).ToList();
        var foreign = Enumerable.Range(0, 2000).Except(owned).First();
        foreach (var key in owned)
        {
            SampleState.Write(backend, key);
        }

        var error = Assert.Throws<InvalidOperationException>(() => backend.SetCurrentKey(foreign));
        Assert.Contains("key group", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.All(_backends.Snapshot(backend), k => Assert.True(range.Contains(k.KeyGroup)));
    }

    [Fact]
    public void ASnapshotRestoresEveryKindOfStateIntoANewBackend()
    {
        var original = NewBackend<int>();
        var keys = Enumerable.Range(0, 500).ToList();
        keys.ForEach(key => SampleState.Write(original, key));

        var restored = NewBackend<int>();
        restored.Restore(_backends.Snapshot(original));

        Assert.Equal(SampleState.EntriesPerKey.Select(s => s.State).Order(StringComparer.Ordinal), restored.UnclaimedStates.Order(StringComparer.Ordinal));
        keys.ForEach(key => SampleState.Verify(restored, key));
        Assert.Empty(restored.UnclaimedStates);
        Assert.All(SampleState.EntriesPerKey, s => Assert.Equal(keys.Count * s.PerKey, restored.CountEntries(s.State)));

        // Restored state is live state: it changes and snapshots again like state written here.
        restored.SetCurrentKey(3);
        restored.GetListState(SampleState.Visits).Add("d3");
        var again = NewBackend<int>();
        again.Restore(_backends.Snapshot(restored));
        again.SetCurrentKey(3);
        Assert.Equal(["a3", "b3", "c3", "d3"], again.GetListState(SampleState.Visits).Get());
    }

    [Fact]
    public void RestoredStateThatNobodyRegisteredGoesIntoTheNextSnapshotUnchanged()
    {
        var original = NewBackend<int>();
        Enumerable.Range(0, 100).ToList().ForEach(key => SampleState.Write(original, key));
        var untouched = NewBackend<int>();
        untouched.Restore(_backends.Snapshot(original));
        untouched.SetCurrentKey(1);
        untouched.GetState(SampleState.Count).Update(-7); // one state is claimed and changed, the others never registered

        var next = NewBackend<int>();
        next.Restore(_backends.Snapshot(untouched));
        for (var key = 0; key < 100; key++)
        {
            next.SetCurrentKey(key);
            Assert.Equal([$"a{key}", $"b{key}", $"c{key}"], next.GetListState(SampleState.Visits).Get());
            Assert.Equal(key == 1 ? -7 : key * 7L, next.GetState(SampleState.Count).Value);
        }
    }

    [Fact]
    public void ClearedStateIsGoneFromTheSnapshot()
    {
        var original = NewBackend<int>();
        Enumerable.Range(0, 20).ToList().ForEach(key => SampleState.Write(original, key));
        original.SetCurrentKey(4);
        original.GetState(SampleState.Count).Clear();
        original.GetListState(SampleState.Visits).Clear();
        original.GetMapState(SampleState.Attributes).Clear();
        original.GetReducingState(SampleState.Sum).Clear();

        var restored = NewBackend<int>();
        restored.Restore(_backends.Snapshot(original));
        SampleState.Register(restored);
        Assert.All(SampleState.EntriesPerKey.Where(s => s.State != SampleState.WindowTable), s => Assert.Equal(19, restored.CountEntries(s.State)));
        restored.SetCurrentKey(4);
        Assert.Equal(-1, restored.GetState(SampleState.Count).Value);
        Assert.Empty(restored.GetListState(SampleState.Visits).Get());
        Assert.True(restored.GetMapState(SampleState.Attributes).IsEmpty);
    }

    [Fact]
    public void EveryKeyIsRestoredExactlyOnceWith1Then3Then2Then5Subtasks()
    {
        const int keys = 3_000;
        var redistribution = new KeyGroupRedistribution(_backends);
        KeyedStateBackend<int>[] subtasks = [_backends.CreateSubtask<int>(Backend, 1, 0)];
        for (var key = 0; key < keys; key++)
        {
            SampleState.Write(subtasks[0], key);
        }

        foreach (var parallelism in new[] { 3, 2, 5 })
        {
            subtasks = redistribution.Rescale(subtasks, parallelism, Backend);
            AssertEveryKeyOnceWithItsValue(subtasks, keys);
        }
    }

    /// <summary>Every key exactly once (entries add up), in the subtask that owns its key group, with its value unchanged.</summary>
    internal static void AssertEveryKeyOnceWithItsValue(IReadOnlyList<KeyedStateBackend<int>> subtasks, int keys)
    {
        foreach (var subtask in subtasks)
        {
            SampleState.Register(subtask);
        }

        Assert.All(SampleState.EntriesPerKey, s => Assert.Equal(keys * s.PerKey, subtasks.Sum(b => b.CountEntries(s.State))));
        for (var key = 0; key < keys; key++)
        {
            SampleState.Verify(subtasks[KeyGroupRangeAssignment.AssignKeyToParallelOperator(key, TestBackends.MaxParallelism, subtasks.Count)], key);
        }
    }
}
