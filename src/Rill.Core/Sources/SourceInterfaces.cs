using Rill.Tasks;

namespace Rill.Sources;

public enum Boundedness
{
    Bounded,
    ContinuousUnbounded,
}

/// <summary>A unit of source work (a file range, a Kafka partition, a slice of a collection).</summary>
public interface ISourceSplit
{
    string SplitId { get; }
}

/// <summary>
/// Flink's FLIP-27 source: a split enumerator runs once per job on the JobManager side and hands splits to
/// source readers, which run in the parallel source subtasks.
/// </summary>
public interface ISource<T, TSplit> where TSplit : ISourceSplit
{
    Boundedness Boundedness { get; }

    /// <summary>Caps the source's parallelism (null: no cap), e.g. 1 for a non-parallel source.</summary>
    int? MaxParallelism => null;

    ISplitEnumerator<TSplit> CreateEnumerator(ISplitEnumeratorContext<TSplit> context);

    /// <summary>The enumerator of a restored job: <paramref name="unassignedSplits"/> is what its checkpoint still had to hand out.</summary>
    ISplitEnumerator<TSplit> RestoreEnumerator(ISplitEnumeratorContext<TSplit> context, IReadOnlyList<TSplit> unassignedSplits);

    ISourceReader<T, TSplit> CreateReader(ISourceReaderContext context);
}

public interface ISplitEnumeratorContext<in TSplit>
{
    int CurrentParallelism { get; }

    void AssignSplit(TSplit split, int subtask);

    void SignalNoMoreSplits(int subtask);

    /// <summary>
    /// Runs <paramref name="callable"/> off the coordinator thread (a metadata request, a directory listing) after
    /// <paramref name="initialDelay"/> and then every <paramref name="period"/> (once when it is zero), and hands each
    /// result or error to <paramref name="handler"/> on the coordinator thread (Flink's callAsync), so the enumerator
    /// needs no locks and never blocks the JobMaster. Stops when the coordinator is disposed.
    /// </summary>
    void CallAsync<TResult>(Func<TResult> callable, Action<TResult?, Exception?> handler, TimeSpan initialDelay, TimeSpan period);
}

public interface ISplitEnumerator<TSplit>
{
    void Start();

    /// <summary>A reader asked for work.</summary>
    void HandleSplitRequest(int subtask);

    /// <summary>Splits of a failed reader come back to be assigned again.</summary>
    void AddSplitsBack(IReadOnlyList<TSplit> splits, int subtask);

    void AddReader(int subtask);

    /// <summary>The splits not assigned to any reader yet (assigned splits are in the readers' checkpoints).</summary>
    IReadOnlyList<TSplit> SnapshotState(long checkpointId);
}

public interface ISourceReaderContext
{
    int IndexOfSubtask { get; }

    int NumberOfParallelSubtasks { get; }

    IProcessingTimeService ProcessingTime { get; }

    /// <summary>Where the reader reports its own metrics (FLIP-33's pendingRecords); outside a task they go nowhere.</summary>
    Metrics.SourceReaderMetricGroup MetricGroup => Metrics.SourceReaderMetricGroup.Unregistered;

    void SendSplitRequest();
}

public enum InputStatus
{
    MoreAvailable,
    NothingAvailable,
    EndOfInput,
}

/// <summary>Where a reader emits records; the task adds timestamps and watermarks.</summary>
public interface IReaderOutput<in T>
{
    void Collect(T record);

    void Collect(T record, long timestamp);

    /// <summary>
    /// An output of one split with its own watermark generator (Flink's createOutputForSplit): the subtask's watermark is
    /// the minimum over its splits that are not idle, so a partition that runs ahead cannot make a lagging one's records
    /// late. Outputs without per-split support return themselves.
    /// </summary>
    IReaderOutput<T> CreateOutputForSplit(string splitId) => this;

    /// <summary>
    /// The reader has nothing to read for now (e.g. no partition is assigned to it): downstream stops waiting for this
    /// subtask's watermark until it emits again, as Flink's ReaderOutput.markIdle.
    /// </summary>
    void MarkIdle()
    {
    }

    /// <summary>The split is done (or gone): its watermark no longer holds the subtask's back.</summary>
    void ReleaseOutputForSplit(string splitId)
    {
    }
}

public interface ISourceReader<T, TSplit> : IDisposable where TSplit : ISourceSplit
{
    void Start();

    /// <summary>Emits what is ready without blocking; EndOfInput only after NotifyNoMoreSplits and the last split's end.</summary>
    InputStatus PollNext(IReaderOutput<T> output);

    /// <summary>Completes when PollNext may have something again (after NothingAvailable).</summary>
    Task IsAvailable();

    void AddSplits(IReadOnlyList<TSplit> splits);

    void NotifyNoMoreSplits();

    /// <summary>The reader's splits with their progress (e.g. the next byte to read): restoring them resumes right there.</summary>
    IReadOnlyList<TSplit> SnapshotState(long checkpointId);

    /// <summary>A checkpoint this reader took part in is complete (Kafka readers commit offsets here).</summary>
    void NotifyCheckpointComplete(long checkpointId)
    {
    }
}
