namespace Rill.Metrics;

/// <summary>
/// What a source reader reports beyond the task's I/O counters (Flink's SourceReaderMetricGroup, FLIP-33). Reported on
/// the <c>Rill</c> meter with the task's tags.
/// </summary>
public sealed class SourceReaderMetricGroup
{
    private readonly TaskIOMetrics _task;

    internal SourceReaderMetricGroup(TaskIOMetrics task) => _task = task;

    /// <summary>For readers that run outside a task (tests): what they set goes nowhere.</summary>
    public static SourceReaderMetricGroup Unregistered => new(new TaskIOMetrics());

    /// <summary>
    /// FLIP-33's <c>pendingRecords</c>: records the source has not fetched yet (Kafka: the distance to each partition's
    /// high watermark). Called off the task thread about once a second, so it must be cheap and thread-safe; a negative
    /// value means "not known yet" and is not reported.
    /// </summary>
    public void SetPendingRecordsGauge(Func<long> pendingRecords)
    {
        ArgumentNullException.ThrowIfNull(pendingRecords);
        _task.PendingRecords = pendingRecords;
    }
}
