namespace Rill.State;

/// <summary>Names a piece of keyed state; the name is how state is found again after a restore.</summary>
public abstract class StateDescriptor(string name)
{
    public string Name { get; } = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("State needs a name.", nameof(name)) : name;
}

public sealed class ValueStateDescriptor<T>(string name, T defaultValue = default!) : StateDescriptor(name)
{
    public T DefaultValue { get; } = defaultValue;
}

public sealed class ListStateDescriptor<T>(string name) : StateDescriptor(name);

public sealed class MapStateDescriptor<TKey, TValue>(string name) : StateDescriptor(name) where TKey : notnull;

public sealed class ReducingStateDescriptor<T>(string name, Func<T, T, T> reduce) : StateDescriptor(name)
{
    public Func<T, T, T> ReduceFunction { get; } = reduce;
}
