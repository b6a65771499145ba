using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rill.Bench.Checkpointing;

/// <summary>
/// What one subtask attempt of the instrumented keyed function did, written only by its task thread and read by the
/// harness (aligned 64-bit fields: a read never tears). Times are <see cref="Stopwatch"/> ticks; <see cref="Probe"/>
/// converts them to wall-clock time.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public sealed class SubtaskMarks
{
#pragma warning disable CS0169, IDE0051 // padding: two task threads never write the same cache line
    private readonly long _p0, _p1, _p2, _p3, _p4, _p5, _p6, _p7;
#pragma warning restore CS0169, IDE0051

    public long Records;

    /// <summary>Keys this attempt found without state (first touch). After a restore every key must have state.</summary>
    public long NewKeys;

    public long OpenStart;

    public long OpenEnd;

    public long FirstRecord;

    public long LastRecord;

    public long Close;

    /// <summary>checkpoint-overhead: gaps of more than 1 ms between two looks at the clock (every 64 records), and their total.</summary>
    public long Stalls;

    public long StallTicks;

#pragma warning disable CS0169, IDE0051
    private readonly long _q0, _q1, _q2, _q3, _q4, _q5, _q6, _q7;
#pragma warning restore CS0169, IDE0051

    public SubtaskMarks(int attempt, int subtask, int parallelism)
    {
        Attempt = attempt;
        Subtask = subtask;
        Parallelism = parallelism;
    }

    public int Attempt { get; }

    public int Subtask { get; }

    public int Parallelism { get; }
}

/// <summary>
/// The static place where every subtask attempt of the instrumented functions leaves its marks (functions are cloned
/// per subtask, so only a static structure sees all of them). One bench run at a time: <see cref="Reset"/> between runs.
/// </summary>
public static class Probe
{
    private static readonly ConcurrentDictionary<(int Attempt, int Subtask), SubtaskMarks> Marks = new();

    // One pair of readings ties the Stopwatch clock to the wall clock the engine's timestamps use.
    private static readonly long BaseTicks = Stopwatch.GetTimestamp();
    private static readonly DateTimeOffset BaseTime = DateTimeOffset.UtcNow;

    public static SubtaskMarks For(int attempt, int subtask, int parallelism) =>
        Marks.GetOrAdd((attempt, subtask), key => new SubtaskMarks(key.Attempt, key.Subtask, parallelism));

    public static IReadOnlyList<SubtaskMarks> All => Marks.Values.OrderBy(m => m.Attempt).ThenBy(m => m.Subtask).ToList();

    public static long TotalRecords => Marks.Values.Sum(m => Volatile.Read(ref m.Records));

    public static (long Count, long Ticks) TotalStalls => (Marks.Values.Sum(m => Volatile.Read(ref m.Stalls)), Marks.Values.Sum(m => Volatile.Read(ref m.StallTicks)));

    public static long TotalNewKeys => Marks.Values.Sum(m => Volatile.Read(ref m.NewKeys));

    public static void Reset() => Marks.Clear();

    public static long Now => Stopwatch.GetTimestamp();

    public static DateTimeOffset ToWallClock(long ticks) => BaseTime + Stopwatch.GetElapsedTime(BaseTicks, ticks);

    public static long FromWallClock(DateTimeOffset time) => BaseTicks + (long)((time - BaseTime).TotalSeconds * Stopwatch.Frequency);

    public static double Ms(long fromTicks, long toTicks) => (toTicks - fromTicks) * 1000.0 / Stopwatch.Frequency;
}
