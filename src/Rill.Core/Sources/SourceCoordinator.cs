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
    private readonly CancellationTokenSource _stop = new();
    private bool _disposed;

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

    public byte[] CheckpointCoordinator(long checkpointId)
    {
        var output = new Serialization.DataOutputSerializer();
        var splits = _enumerator.SnapshotState(checkpointId);
        output.WriteInt32(splits.Count);
        foreach (var split in splits)
        {
            SplitSerializer.Serialize(split, output);
        }

        return output.WrittenSpan.ToArray();
    }

    private static readonly Serialization.TypeSerializer<TSplit> SplitSerializer = Serialization.TypeSerializers.For<TSplit>();

    internal static IReadOnlyList<TSplit> DeserializeSplits(byte[] bytes)
    {
        var view = new Serialization.DataInputView();
        view.Reset(bytes, 0, bytes.Length);
        var count = view.ReadInt32();
        var splits = new List<TSplit>(count);
        for (var i = 0; i < count; i++)
        {
            splits.Add(SplitSerializer.Deserialize(view));
        }

        return splits;
    }

    public void AssignSplit(TSplit split, int subtask) => _context.SendEventToOperator(subtask, new AddSplitsEvent([split]));

    public void SignalNoMoreSplits(int subtask) => _context.SendEventToOperator(subtask, new NoMoreSplitsEvent());

    public void CallAsync<TResult>(Func<TResult> callable, Action<TResult?, Exception?> handler, TimeSpan initialDelay, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.Zero);
        var stop = _stop.Token;
        _ = Task.Run(async () =>
        {
            await Task.Delay(initialDelay, stop).ConfigureAwait(false);
            while (!stop.IsCancellationRequested)
            {
                TResult? result = default;
                Exception? error = null;
                try
                {
                    result = callable();
                }
                catch (Exception e)
                {
                    error = e;
                }

                // The handler sees the enumerator only while this coordinator is current: a restarted job has a new one.
                // The next call starts only after the handler ran, so it sees what the handler changed (no overlap).
                var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _context.RunInCoordinatorThread(() =>
                {
                    try
                    {
                        if (!_disposed)
                        {
                            handler(result, error);
                        }
                    }
                    finally
                    {
                        handled.TrySetResult();
                    }
                });
                if (period == TimeSpan.Zero)
                {
                    return;
                }

                await handled.Task.WaitAsync(stop).ConfigureAwait(false);

                await Task.Delay(period, stop).ConfigureAwait(false);
            }
        }, stop).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.OnlyOnCanceled, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _disposed = true;
        _stop.Cancel();
        _stop.Dispose();
        if (_enumerator is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
