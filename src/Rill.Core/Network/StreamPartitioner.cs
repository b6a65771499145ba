namespace Rill.Network;

/// <summary>Chooses the consumer channel of each record. One instance per producer subtask (some keep state).</summary>
public abstract class StreamPartitioner
{
    public int NumberOfChannels { get; private set; }

    /// <summary>Forward connects producer i only to consumer i; everything else connects all to all.</summary>
    public virtual bool IsPointwise => false;

    public virtual bool IsBroadcast => false;

    public abstract string Name { get; }

    public virtual void Setup(int numberOfChannels, int subtaskIndex) => NumberOfChannels = numberOfChannels;

    /// <summary>A fresh instance with the same settings (partitioners may keep per-writer state).</summary>
    public abstract StreamPartitioner Copy();

    public override string ToString() => Name;
}

public abstract class StreamPartitioner<T> : StreamPartitioner
{
    public abstract int SelectChannel(T record);
}

public sealed class ForwardPartitioner<T> : StreamPartitioner<T>
{
    public override bool IsPointwise => true;
    public override string Name => "FORWARD";
    public override int SelectChannel(T record) => 0;
    public override StreamPartitioner Copy() => new ForwardPartitioner<T>();
}

/// <summary>Round robin; each producer starts at its own subtask index so runs are reproducible.</summary>
public sealed class RebalancePartitioner<T> : StreamPartitioner<T>
{
    private int _next;

    public override string Name => "REBALANCE";

    public override void Setup(int numberOfChannels, int subtaskIndex)
    {
        base.Setup(numberOfChannels, subtaskIndex);
        _next = subtaskIndex % numberOfChannels;
    }

    public override int SelectChannel(T record)
    {
        var channel = _next;
        _next = channel + 1 == NumberOfChannels ? 0 : channel + 1;
        return channel;
    }

    public override StreamPartitioner Copy() => new RebalancePartitioner<T>();
}

public sealed class BroadcastPartitioner<T> : StreamPartitioner<T>
{
    public override bool IsBroadcast => true;
    public override string Name => "BROADCAST";
    public override int SelectChannel(T record) => throw new NotSupportedException("Broadcast writes every record to every channel.");
    public override StreamPartitioner Copy() => new BroadcastPartitioner<T>();
}

public sealed class GlobalPartitioner<T> : StreamPartitioner<T>
{
    public override string Name => "GLOBAL";
    public override int SelectChannel(T record) => 0;
    public override StreamPartitioner Copy() => new GlobalPartitioner<T>();
}

/// <summary>Routes by key group: murmur(stableHash(key)) % maxParallelism, then keyGroup × channels / maxParallelism.</summary>
public sealed class KeyGroupStreamPartitioner<T, TKey>(Func<T, TKey> keySelector) : StreamPartitioner<T>, Graph.IMaxParallelismAware
{
    public override string Name => "HASH";

    /// <summary>Set from the consuming operator when the graph is built, so routing and state agree on key groups.</summary>
    public int MaxParallelism { get; set; } = State.KeyGroupRangeAssignment.DefaultLowerBoundMaxParallelism;

    public override int SelectChannel(T record) =>
        NumberOfChannels == 1 ? 0 : State.KeyGroupRangeAssignment.AssignKeyToParallelOperator(keySelector(record), MaxParallelism, NumberOfChannels);

    public override StreamPartitioner Copy() => new KeyGroupStreamPartitioner<T, TKey>(keySelector) { MaxParallelism = MaxParallelism };
}
