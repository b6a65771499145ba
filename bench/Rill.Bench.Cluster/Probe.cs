namespace Rill.Bench.Cluster;

/// <summary>
/// Wall-clock marks of this process's subtasks: when any source subtask here emitted its first record, and when any
/// sink-side subtask here saw its last result. All processes run on one machine, so the harness combines the marks of
/// every process of a cluster: the job's processing span is max(last) − min(first), without process start-up,
/// TaskManager registration or deployment (which the JobManager's net runtime includes).
/// </summary>
internal static class Probe
{
    private static long _firstSourceTicks;
    private static long _lastSinkTicks;

    public static long FirstSourceTicks => Volatile.Read(ref _firstSourceTicks);

    public static long LastSinkTicks => Volatile.Read(ref _lastSinkTicks);

    /// <summary>Called for every source record: one static read once the mark is set.</summary>
    public static void MarkSource()
    {
        if (_firstSourceTicks == 0)
        {
            Interlocked.CompareExchange(ref _firstSourceTicks, DateTime.UtcNow.Ticks, 0);
        }
    }

    public static void MarkSink()
    {
        var now = DateTime.UtcNow.Ticks;
        var seen = Volatile.Read(ref _lastSinkTicks);
        while (now > seen)
        {
            var previous = Interlocked.CompareExchange(ref _lastSinkTicks, now, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
