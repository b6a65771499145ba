namespace Rill.State;

// Keyed state: every call reads or writes the value of the key currently being processed.

public interface IState
{
    /// <summary>Removes the value for the current key.</summary>
    void Clear();
}

public interface IValueState<T> : IState
{
    /// <summary>The value for the current key, or the descriptor's default when none was set.</summary>
    T Value { get; }

    void Update(T value);
}

public interface IListState<T> : IState
{
    IReadOnlyList<T> Get();

    void Add(T value);

    void AddAll(IEnumerable<T> values);

    void Update(IEnumerable<T> values);
}

public interface IMapState<TKey, TValue> : IState where TKey : notnull
{
    bool TryGetValue(TKey key, out TValue value);

    TValue Get(TKey key);

    void Put(TKey key, TValue value);

    bool Contains(TKey key);

    void Remove(TKey key);

    IEnumerable<KeyValuePair<TKey, TValue>> Entries();

    bool IsEmpty { get; }
}

public interface IReducingState<T> : IState
{
    /// <summary>The reduced value, or default when nothing was added for the current key.</summary>
    T? Get();

    void Add(T value);
}
