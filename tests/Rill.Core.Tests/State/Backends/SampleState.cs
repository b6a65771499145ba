using Rill.State;
using Rill.Windowing;

namespace Rill.Tests.State.Backends;

/// <summary>
/// One value of every kind of keyed state per key, derived from the key, so any backend holding any share of the keys
/// can be checked entry by entry: value, list, map and reducing state, and an operator's table with window namespaces.
/// </summary>
internal static class SampleState
{
    public static readonly ValueStateDescriptor<long> Count = new("count", -1);
    public static readonly ListStateDescriptor<string> Visits = new("visits");
    public static readonly MapStateDescriptor<string, long> Attributes = new("attributes");
    public static readonly ReducingStateDescriptor<long> Sum = new("sum", (a, b) => a + b);
    public const string WindowTable = "_window-contents";
    public static readonly TimeWindow[] Windows = [new(0, 1000), new(1000, 2000)];

    /// <summary>Entries per key in each state, as <see cref="KeyedStateBackend{TKey}.CountEntries"/> counts them.</summary>
    public static readonly (string State, int PerKey)[] EntriesPerKey = [("count", 1), ("visits", 1), ("attributes", 1), ("sum", 1), (WindowTable, 2)];

    public static void Write(KeyedStateBackend<int> backend, int key)
    {
        backend.SetCurrentKey(key);
        backend.GetState(Count).Update(key * 7L);
        backend.GetListState(Visits).Add($"a{key}");
        backend.GetListState(Visits).AddAll([$"b{key}", $"c{key}"]);
        backend.GetMapState(Attributes).Put("x", key);
        backend.GetMapState(Attributes).Put("y", key + 1L);
        backend.GetReducingState(Sum).Add(key);
        backend.GetReducingState(Sum).Add(1000);
        var windows = backend.GetOrCreateTable<TimeWindow, long>(WindowTable);
        for (var i = 0; i < Windows.Length; i++)
        {
            windows.Put(backend.CurrentKeyGroup, key, Windows[i], (key * 10L) + i);
        }
    }

    /// <summary>Registers every state (restored bytes are read when a state registers), then checks the key's values.</summary>
    public static void Verify(KeyedStateBackend<int> backend, int key)
    {
        backend.SetCurrentKey(key);
        Assert.Equal(key * 7L, backend.GetState(Count).Value);
        Assert.Equal([$"a{key}", $"b{key}", $"c{key}"], backend.GetListState(Visits).Get());
        Assert.Equal(new Dictionary<string, long> { ["x"] = key, ["y"] = key + 1L }, backend.GetMapState(Attributes).Entries().ToDictionary());
        Assert.Equal(key + 1000L, backend.GetReducingState(Sum).Get());
        var windows = backend.GetOrCreateTable<TimeWindow, long>(WindowTable);
        for (var i = 0; i < Windows.Length; i++)
        {
            Assert.True(windows.TryGet(backend.CurrentKeyGroup, key, Windows[i], out var contents), $"key {key} lost window {Windows[i]}");
            Assert.Equal((key * 10L) + i, contents);
        }
    }

    /// <summary>Registers every state without reading, so entry counts include restored data.</summary>
    public static void Register(KeyedStateBackend<int> backend)
    {
        backend.GetState(Count);
        backend.GetListState(Visits);
        backend.GetMapState(Attributes);
        backend.GetReducingState(Sum);
        backend.GetOrCreateTable<TimeWindow, long>(WindowTable);
    }
}
