namespace Rill.Sources;

/// <summary>
/// The common reader loop: request a split, read it to the end, request the next; end of input once the
/// enumerator says there are no more splits and the current one is done.
/// </summary>
public abstract class SplitReaderBase<T, TSplit> : ISourceReader<T, TSplit> where TSplit : ISourceSplit
{
    private readonly Queue<TSplit> _splits = new();
    private bool _noMoreSplits;
    private bool _requestPending;
    // Continuations run inline: the only one is the task's "wake the mailbox", which must not wait for the thread pool.
    private TaskCompletionSource _available = new();

    protected SplitReaderBase(ISourceReaderContext context) => Context = context;

    protected ISourceReaderContext Context { get; }

    protected TSplit? CurrentSplit { get; private set; }

    /// <summary>Records emitted per poll at most, so mail (timers, events) is not starved.</summary>
    protected virtual int BatchSize => 512;

    public virtual void Start() => RequestSplit();

    public InputStatus PollNext(IReaderOutput<T> output)
    {
        if (CurrentSplit is null)
        {
            if (!_splits.TryDequeue(out var next))
            {
                if (_noMoreSplits)
                {
                    return InputStatus.EndOfInput;
                }

                RequestSplit();
                return InputStatus.NothingAvailable;
            }

            CurrentSplit = next;
            OpenSplit(next);
        }

        var status = ReadFromSplit(output, BatchSize);
        if (status == SplitStatus.Finished)
        {
            CloseSplit();
            CurrentSplit = default;
            return InputStatus.MoreAvailable;
        }

        if (status == SplitStatus.Yield && _splits.Count > 0)
        {
            // An endless split takes turns with the others, so a reader with several (after a rescale down) reads all of them.
            _splits.Enqueue(CurrentSplitWithProgress());
            CloseSplit();
            CurrentSplit = default;
            return InputStatus.MoreAvailable;
        }

        return status is SplitStatus.MoreAvailable or SplitStatus.Yield ? InputStatus.MoreAvailable : InputStatus.NothingAvailable;
    }

    public virtual Task IsAvailable() => _available.Task;

    public void AddSplits(IReadOnlyList<TSplit> splits)
    {
        _requestPending = false;
        foreach (var split in splits)
        {
            _splits.Enqueue(split);
        }

        SignalAvailable();
    }

    public IReadOnlyList<TSplit> SnapshotState(long checkpointId)
    {
        var splits = new List<TSplit>(_splits.Count + 1);
        if (CurrentSplit is not null)
        {
            splits.Add(CurrentSplitWithProgress());
        }

        splits.AddRange(_splits);
        return splits;
    }

    /// <summary>The current split, narrowed to what is still unread: reading it again resumes at the next record.</summary>
    protected abstract TSplit CurrentSplitWithProgress();

    public void NotifyNoMoreSplits()
    {
        _requestPending = false;
        _noMoreSplits = true;
        SignalAvailable();
    }

    protected void SignalAvailable()
    {
        var previous = _available;
        _available = new TaskCompletionSource();
        previous.TrySetResult();
    }

    private void RequestSplit()
    {
        if (!_requestPending && !_noMoreSplits)
        {
            _requestPending = true;
            Context.SendSplitRequest();
        }
    }

    protected abstract void OpenSplit(TSplit split);

    protected abstract SplitStatus ReadFromSplit(IReaderOutput<T> output, int maxRecords);

    protected virtual void CloseSplit()
    {
    }

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }

    protected enum SplitStatus
    {
        MoreAvailable,
        NothingAvailable,
        Finished,

        /// <summary>More is available, but other splits should have their turn first (endless splits).</summary>
        Yield,
    }
}
