using Rill.State;

namespace Rill.Tests.State;

/// <summary>The heap backend directly: state organised by key group, per-key isolation and each state kind's contract.</summary>
public sealed class HeapKeyedStateBackendTests
{
    [Fact]
    public void EntriesAreStoredUnderTheKeyGroupOfTheirKey()
    {
        const int maxParallelism = 128;
        var backend = new HeapKeyedStateBackend<string>(new KeyGroupRange(0, maxParallelism - 1), maxParallelism);
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
        Assert.All(entries, e => Assert.Equal(KeyGroupRangeAssignment.AssignToKeyGroup(e.Key, maxParallelism), e.KeyGroup));
        Assert.Equal(entries.Select(e => e.KeyGroup).Order(), entries.Select(e => e.KeyGroup)); // enumerated key group by key group
        Assert.True(entries.Select(e => e.KeyGroup).Distinct().Count() > 100); // the keys really spread over the groups
    }

    [Fact]
    public void SubtaskBackendOnlyAcceptsKeysOfItsOwnKeyGroups()
    {
        const int maxParallelism = 128;
        var range = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(maxParallelism, 4, 1);
        var backend = new HeapKeyedStateBackend<int>(range, maxParallelism);
        var state = backend.GetListState(new ListStateDescriptor<int>("list"));
        var owned = Enumerable.Range(0, 2000).Where(k => range.Contains(KeyGroupRangeAssignment.AssignToKeyGroup(k, maxParallelism))).ToList();
        var foreign = Enumerable.Range(0, 2000).Except(owned).First();
        foreach (var key in owned)
        {
            backend.SetCurrentKey(key);
            state.Add(key);
            Assert.Equal(KeyGroupRangeAssignment.AssignToKeyGroup(key, maxParallelism), backend.CurrentKeyGroup);
        }

        Assert.NotEmpty(owned);
        var error = Assert.Throws<InvalidOperationException>(() => backend.SetCurrentKey(foreign));
        Assert.Contains("key group", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.All(backend.GetOrCreateTable<VoidNamespace, List<int>>("list").Entries(), e => Assert.True(range.Contains(e.KeyGroup)));
    }

    [Fact]
    public void ValueStateIsPerKeyAndFallsBackToTheDefault()
    {
        var backend = NewBackend();
        var state = backend.GetState(new ValueStateDescriptor<string>("name", "unset"));
        backend.SetCurrentKey(1);
        Assert.Equal("unset", state.Value);
        state.Update("one");
        backend.SetCurrentKey(2);
        Assert.Equal("unset", state.Value);
        state.Update("two");
        backend.SetCurrentKey(1);
        Assert.Equal("one", state.Value);
        state.Clear();
        Assert.Equal("unset", state.Value);
        backend.SetCurrentKey(2);
        Assert.Equal("two", state.Value);
        Assert.Equal(1, backend.CountEntries("name"));
    }

    [Fact]
    public void ListStateAddsUpdatesAndClears()
    {
        var backend = NewBackend();
        var state = backend.GetListState(new ListStateDescriptor<int>("list"));
        backend.SetCurrentKey(1);
        Assert.Empty(state.Get());
        state.Add(1);
        state.AddAll([2, 3]);
        backend.SetCurrentKey(2);
        state.Update([9, 8]);
        backend.SetCurrentKey(1);
        Assert.Equal([1, 2, 3], state.Get());
        state.Update([]);
        Assert.Empty(state.Get());
        Assert.Equal(1, backend.CountEntries("list")); // an empty list is no entry
        backend.SetCurrentKey(2);
        Assert.Equal([9, 8], state.Get());
    }

    [Fact]
    public void MapStatePutsGetsRemovesPerKey()
    {
        var backend = NewBackend();
        var state = backend.GetMapState(new MapStateDescriptor<string, int>("map"));
        backend.SetCurrentKey(1);
        Assert.True(state.IsEmpty);
        state.Put("a", 1);
        state.Put("b", 2);
        state.Put("a", 3);
        backend.SetCurrentKey(2);
        Assert.False(state.Contains("a"));
        Assert.Equal(0, state.Get("a"));
        state.Put("z", 26);
        backend.SetCurrentKey(1);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 3, ["b"] = 2 }, state.Entries().ToDictionary());
        Assert.True(state.TryGetValue("b", out var b));
        Assert.Equal(2, b);
        state.Remove("a");
        state.Remove("b");
        Assert.True(state.IsEmpty);
        Assert.Empty(state.Entries());
        backend.SetCurrentKey(2);
        Assert.Equal(26, state.Get("z"));
    }

    [Fact]
    public void ReducingStateReducesPerKey()
    {
        var backend = NewBackend();
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
    }

    [Fact]
    public void AStateNameCannotBeReusedForAnotherKindOrType()
    {
        var backend = NewBackend();
        Assert.Same(backend.GetState(new ValueStateDescriptor<int>("s")), backend.GetState(new ValueStateDescriptor<int>("s")));
        Assert.Throws<InvalidOperationException>(() => backend.GetListState(new ListStateDescriptor<int>("s")));
        Assert.Throws<InvalidOperationException>(() => backend.GetState(new ValueStateDescriptor<long>("s")));
    }

    private static HeapKeyedStateBackend<int> NewBackend() => new(new KeyGroupRange(0, 127), 128);
}
