namespace Rill.Sources;

/// <summary>
/// Hosts a split enumerator on the JobManager side. The JobMaster calls it only from its main thread, so the
/// enumerator needs no locking (as Flink's coordinator thread).
/// </summary>
internal sealed class SourceCoordinator<TSplit> : IOperatorCoordinator, ISplitEnumeratorContext<TSplit>
    where TSplit : ISourceSplit
{
    private readonly IOperatorCoordinatorContext _context;
    private readonly ISplitEnumerator<TSplit> _enumerator;

    public SourceCoordinator(Func<ISplitEnumeratorContext<TSplit>, ISplitEnumerator<TSplit>> createEnumerator, int parallelism, IOperatorCoordinatorContext context)
    {
        CurrentParallelism = parallelism;
        _context = context;
        _enumerator = createEnumerator(this);
    }

    public int CurrentParallelism { get; }

    public void Start() => _enumerator.Start();

    public void HandleEventFromOperator(int subtask, OperatorEvent operatorEvent)
    {
        switch (operatorEvent)
        {
            case ReaderRegistrationEvent:
                _enumerator.AddReader(subtask);
                break;
            case RequestSplitEvent:
                _enumerator.HandleSplitRequest(subtask);
                break;
            default:
                throw new InvalidOperationException($"Source coordinator got unexpected event {operatorEvent} from subtask {subtask}.");
        }
    }

    public void AssignSplit(TSplit split, int subtask) => _context.SendEventToOperator(subtask, new AddSplitsEvent([split]));

    public void SignalNoMoreSplits(int subtask) => _context.SendEventToOperator(subtask, new NoMoreSplitsEvent());

    public void Dispose()
    {
        if (_enumerator is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
