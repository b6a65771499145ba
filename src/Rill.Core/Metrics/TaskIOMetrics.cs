using System.Diagnostics;

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

    private readonly long _startedAt = Stopwatch.GetTimestamp();

    public TimeSpan IdleTime => Stopwatch.GetElapsedTime(0, Volatile.Read(ref IdleTicks));

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startedAt);

    /// <summary>Back-pressured time is the producer pools' blocked time; set by the task from its writers.</summary>
    public TimeSpan BackPressuredTime { get; set; }

    public TimeSpan BusyTime
    {
        get
        {
            var busy = Elapsed - IdleTime - BackPressuredTime;
            return busy < TimeSpan.Zero ? TimeSpan.Zero : busy;
        }
    }

    public TaskIOMetricsSnapshot Snapshot() => new(
        Volatile.Read(ref RecordsIn), Volatile.Read(ref RecordsOut), Volatile.Read(ref BuffersIn), Volatile.Read(ref BuffersOut),
        Volatile.Read(ref BytesIn), Volatile.Read(ref BytesOut), BusyTime, IdleTime, BackPressuredTime, Volatile.Read(ref RemoteBytesIn));
}

public sealed record TaskIOMetricsSnapshot(
    long RecordsIn, long RecordsOut, long BuffersIn, long BuffersOut, long BytesIn, long BytesOut,
    TimeSpan BusyTime, TimeSpan IdleTime, TimeSpan BackPressuredTime, long RemoteBytesIn = 0);
