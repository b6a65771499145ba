namespace Rill.Api;

/// <summary>Names a side output; records emitted to it form a separate stream of type <typeparamref name="T"/>.</summary>
public sealed class OutputTag<T>(string id) : OutputTag(id)
{
    internal override Graph.StreamType StreamType => Graph.StreamType<T>.Instance;
}

public abstract class OutputTag(string id)
{
    public string Id { get; } = string.IsNullOrWhiteSpace(id) ? throw new ArgumentException("A side output needs an id.", nameof(id)) : id;

    internal abstract Graph.StreamType StreamType { get; }

    public override string ToString() => $"OutputTag({Id})";
}
