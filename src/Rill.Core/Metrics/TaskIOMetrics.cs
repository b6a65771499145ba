using System.Diagnostics;
using Rill.Network;

namespace Rill.Metrics;

/// <summary>
/// Per-subtask I/O counters. Written only by the task thread (plain fields, no interlocked cost on the hot path)
/// and read approximately by reporters. Busy, idle and back-pressured time are what the autoscaler will need.
/// </summary>
public sealed class TaskIOMetrics
{
    public long RecordsIn;
    public long RecordsOut;
    public long BuffersIn;
    public long BuffersOut;
    public long BytesIn;
    public long BytesOut;

    /// <summary>The part of <see cref="BytesIn"/> that came over the network from another TaskManager.</summary>
    public long RemoteBytesIn;
    public long IdleTicks;

    /// <summary>The watermark the task's network input last passed on (Flink's currentInputWatermark); long.MinValue before the first.</summary>
    public long CurrentInputWatermark = long.MinValue;

    /// <summary>The watermark the task last sent downstream (Flink's currentOutputWatermark); long.MinValue before the first.</summary>
    public long CurrentOutputWatermark = long.MinValue;

    private readonly long _startedAt = Stopwatch.GetTimestamp();

    // The pools the task's writers block on when consumers are slow; their blocked time is the back-pressured time.
    private BufferPool[] _producerPools = [];

    public TimeSpan IdleTime => Stopwatch.GetElapsedTime(0, Volatile.Read(ref IdleTicks));

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startedAt);

    /// <summary>Back-pressured time is the producer pools' blocked time, read live (also while the task runs).</summary>
    public TimeSpan BackPressuredTime
    {
        get
        {
            var ticks = 0L;
            foreach (var pool in Volatile.Read(ref _producerPools))
            {
                ticks += pool.BackPressuredTime.Ticks;
            }

            return TimeSpan.FromTicks(ticks);
        }
    }

    public TimeSpan BusyTime
    {
        get
        {
            var busy = Elapsed - IdleTime - BackPressuredTime;
            return busy < TimeSpan.Zero ? TimeSpan.Zero : busy;
        }
    }

    /// <summary>
    /// FLIP-33's pendingRecords of the task's source reader, when it knows them (<see cref="SourceReaderMetricGroup"/>):
    /// called off the task thread; negative means unknown.
    /// </summary>
    internal Func<long>? PendingRecords { get; set; }

    /// <summary>Called once the task built its writers: from then on their pools' blocked time counts.</summary>
    internal void TrackBackPressureOf(IEnumerable<BufferPool> pools) => Volatile.Write(ref _producerPools, pools.ToArray());

    public TaskIOMetricsSnapshot Snapshot() => new(
        Volatile.Read(ref RecordsIn), Volatile.Read(ref RecordsOut), Volatile.Read(ref BuffersIn), Volatile.Read(ref BuffersOut),
        Volatile.Read(ref BytesIn), Volatile.Read(ref BytesOut), BusyTime, IdleTime, BackPressuredTime, Volatile.Read(ref RemoteBytesIn));
}

public sealed record TaskIOMetricsSnapshot(
    long RecordsIn, long RecordsOut, long BuffersIn, long BuffersOut, long BytesIn, long BytesOut,
    TimeSpan BusyTime, TimeSpan IdleTime, TimeSpan BackPressuredTime, long RemoteBytesIn = 0);
