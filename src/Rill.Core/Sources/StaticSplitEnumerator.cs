namespace Rill.Sources;

/// <summary>Hands out a fixed list of splits on request, one at a time (pull-based, so fast readers take more).</summary>
public sealed class StaticSplitEnumerator<TSplit>(ISplitEnumeratorContext<TSplit> context, IEnumerable<TSplit> splits) : ISplitEnumerator<TSplit>
    where TSplit : ISourceSplit
{
    private readonly Queue<TSplit> _remaining = new(splits);

    public void Start()
    {
    }

    public void HandleSplitRequest(int subtask)
    {
        if (_remaining.TryDequeue(out var split))
        {
            context.AssignSplit(split, subtask);
        }
        else
        {
            context.SignalNoMoreSplits(subtask);
        }
    }

    public void AddSplitsBack(IReadOnlyList<TSplit> splits, int subtask)
    {
        foreach (var split in splits)
        {
            _remaining.Enqueue(split);
        }
    }

    public void AddReader(int subtask)
    {
    }

    public IReadOnlyList<TSplit> SnapshotState(long checkpointId) => _remaining.ToList();
}
