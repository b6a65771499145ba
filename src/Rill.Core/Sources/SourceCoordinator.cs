namespace Rill.Sources;

/// <summary>Hosts a split enumerator; every call into it is serialized by a lock, as in Flink's coordinator thread.</summary>
internal sealed class SourceCoordinator<TSplit> : IOperatorCoordinator, ISplitEnumeratorContext<TSplit>
    where TSplit : ISourceSplit
{
    private readonly Lock _lock = new();
    private readonly IOperatorCoordinatorContext _context;
    private readonly ISplitEnumerator<TSplit> _enumerator;
    private readonly Dictionary<int, List<TSplit>> _assigned = [];

    public SourceCoordinator(Func<ISplitEnumeratorContext<TSplit>, ISplitEnumerator<TSplit>> createEnumerator, int parallelism, IOperatorCoordinatorContext context)
    {
        CurrentParallelism = parallelism;
        _context = context;
        _enumerator = createEnumerator(this);
    }

    public int CurrentParallelism { get; }

    public void Start()
    {
        lock (_lock)
        {
            _enumerator.Start();
        }
    }

    public void HandleEventFromOperator(int subtask, OperatorEvent operatorEvent)
    {
        lock (_lock)
        {
            if (operatorEvent is RequestSplitEvent)
            {
                _enumerator.HandleSplitRequest(subtask);
            }
        }
    }

    public void SubtaskReady(int subtask)
    {
        lock (_lock)
        {
            _enumerator.AddReader(subtask);
        }
    }

    public void SubtaskFailed(int subtask)
    {
        lock (_lock)
        {
            if (_assigned.Remove(subtask, out var splits) && splits.Count > 0)
            {
                _enumerator.AddSplitsBack(splits, subtask);
            }
        }
    }

    public void AssignSplit(TSplit split, int subtask)
    {
        if (!_assigned.TryGetValue(subtask, out var list))
        {
            _assigned[subtask] = list = [];
        }

        list.Add(split);
        _context.SendEventToOperator(subtask, new AddSplitsEvent([split]));
    }

    public void SignalNoMoreSplits(int subtask) => _context.SendEventToOperator(subtask, new NoMoreSplitsEvent());

    public void Dispose()
    {
        if (_enumerator is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
