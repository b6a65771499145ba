using Rill.Api;
using Rill.EventTime;
using Rill.Operators;
using Rill.Sources;
using Rill.Tests.TestSupport;
using Rill.Windowing;

namespace Rill.Tests.Windowing;

/// <summary>
/// Processing-time windows depend on the wall clock, so these tests assert what holds for any timing: every record
/// is counted in exactly the number of windows its assigner gives it, and windows still open when a bounded input
/// ends fire at the end.
/// </summary>
public sealed class ProcessingTimeWindowTests
{
    [Theory]
    [InlineData(RuntimeExecutionMode.Streaming)]
    [InlineData(RuntimeExecutionMode.Batch)]
    public async Task TumblingWindowsOnABoundedInputCountEveryRecordOnceAndFireAtTheEnd(RuntimeExecutionMode mode)
    {
        var env = TestJobs.Env(2, mode);
        var values = Enumerable.Range(0, 2000).ToArray();
        // A one-hour window cannot close while the job runs: it can only fire because the input ended.
        var result = await TestJobs.CollectAsync(env.FromCollection(values)
            .KeyBy(v => v % 3)
            .Window(TumblingProcessingTimeWindows.Of<int>(TimeSpan.FromHours(1)))
            .Aggregate(new KeyedSum(), (key, window, acc) => (Key: key, acc.Sum, acc.Count, window.Start, window.End)));

        var expected = values.GroupBy(v => v % 3).Select(g => (g.Key, Sum: g.Sum(v => (long)v), Count: g.Count())).OrderBy(g => g.Key);
        // At most two windows per key (the job may straddle an hour boundary), together holding every record once.
        Assert.Equal(expected, result.GroupBy(r => r.Key).Select(g => (g.Key, g.Sum(r => r.Sum), g.Sum(r => r.Count))).OrderBy(g => g.Key));
        Assert.All(result, r => Assert.Equal(TimeSpan.FromHours(1).TotalMilliseconds, r.End - r.Start));
        Assert.All(result, r => Assert.Equal(0, r.Start % 3_600_000));
    }

    [Fact]
    public async Task TumblingWindowsFireWhileTheInputIsStillRunning()
    {
        var env = TestJobs.Env(1);
        long lastRecordAt = 0;
        // 60 records at 200 per second take at least 295 ms, so 50 ms windows must close along the way.
        var source = env.FromSource(new DataGeneratorSource<int>(i =>
            {
                if (i == 59)
                {
                    Interlocked.Exchange(ref lastRecordAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                }

                return (int)i;
            }, 60, recordsPerSecond: 200), WatermarkStrategy<int>.NoWatermarks(), "Paced");
        var result = await TestJobs.CollectAsync(source
            .KeyBy(v => v % 2)
            .Window(TumblingProcessingTimeWindows.Of<int>(TimeSpan.FromMilliseconds(50)))
            .Aggregate(new KeyedSum(), (key, window, acc) => (Key: key, acc.Sum, acc.Count, window.Start, window.End, FiredAt: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));

        Assert.Equal(Enumerable.Range(0, 60).Sum(), result.Sum(r => r.Sum));
        Assert.Equal(60, result.Sum(r => r.Count));
        Assert.All(result.GroupBy(r => r.Key), g => Assert.True(g.Count() >= 4, $"key {g.Key} fired only {g.Count()} windows"));
        Assert.All(result.GroupBy(r => (r.Key, r.Start)), g => Assert.Single(g)); // each window fired once
        Assert.All(result, r => Assert.Equal(50, r.End - r.Start));
        var endOfInput = Interlocked.Read(ref lastRecordAt);
        var firedWhileRunning = result.Where(r => r.FiredAt < endOfInput).ToList();
        Assert.NotEmpty(firedWhileRunning);
        // A window [start, end) may take records stamped end − 1, so it fires no sooner than end (Flink delays
        // processing-time timers by 1 ms for this reason). Only the end of input may fire a window early.
        Assert.All(firedWhileRunning, r => Assert.True(r.FiredAt >= r.End, $"window [{r.Start},{r.End}) fired at {r.FiredAt}, before its end"));
    }

    [Fact]
    public async Task EachProcessingTimeWindowFiresOnceEvenWhenRecordsArriveInItsLastMillisecond()
    {
        // About 20 records per millisecond: records keep arriving in the last millisecond of every window. A window
        // that fired at its max timestamp (rather than after it) would be created again by such a record and fire a
        // second, partial result.
        var env = TestJobs.Env(1);
        var source = env.FromSource(new DataGeneratorSource<int>(i => (int)i, 8000, recordsPerSecond: 20_000), WatermarkStrategy<int>.NoWatermarks(), "Fast");
        var result = await TestJobs.CollectAsync(source
            .KeyBy(v => v % 2)
            .Window(TumblingProcessingTimeWindows.Of<int>(TimeSpan.FromMilliseconds(20)))
            .Aggregate(new KeyedSum(), (key, window, acc) => (Key: key, acc.Sum, acc.Count, window.Start, window.End)));

        Assert.Equal(8000, result.Sum(r => r.Count));
        // About 40 windows on an idle machine; under load the generator falls behind its rate and fewer windows see
        // records. Enough to have many window ends while records keep arriving is all this test needs.
        Assert.True(result.Count >= 6, $"only {result.Count} windows");
        var repeated = result.GroupBy(r => (r.Key, r.Start)).Where(g => g.Count() > 1).Select(g => $"[{g.Key.Start}, +20) key {g.Key.Key}: counts {string.Join("+", g.Select(r => r.Count))}").ToList();
        Assert.True(repeated.Count == 0, $"{repeated.Count} windows fired more than once: {string.Join("; ", repeated.Take(5))}");
    }

    [Fact]
    public void ProcessingTimeWindowFiresOnlyAfterItsLastMillisecond()
    {
        // Deterministic form of the test above, with a manual clock. Window [0, 20) ends at 20 exclusive, so a record
        // processed at 19 belongs to it and the window may only fire once the clock is past 19 (Flink delays
        // processing-time timers by 1 ms for exactly this reason: ProcessingTimeServiceUtil.getProcessingTimeDelay).
        var aggregate = new KeyedSum();
        var op = new WindowOperator<int, int, (long Sum, int Count), (long Sum, int Count), TimeWindow>(
            _ => 0, TumblingProcessingTimeWindows.Of<int>(TimeSpan.FromMilliseconds(20)), trigger: null,
            new AggregatingWindowAccumulator<int, (long Sum, int Count), (long Sum, int Count)>(aggregate),
            new AggregateResultEmitter<int, TimeWindow, int, (long Sum, int Count), (long Sum, int Count)>(aggregate),
            TimeSpan.Zero, lateDataTag: null);
        var harness = new OperatorHarness<int, (long Sum, int Count)>(op, startTime: 5);

        harness.Process(1);
        harness.SetProcessingTime(19);
        harness.Process(2); // processing time 19: still window [0, 20)
        harness.SetProcessingTime(20);
        harness.Process(4); // window [20, 40)
        harness.SetProcessingTime(45);

        Assert.Equal([(3L, 2), (4L, 1)], harness.Output.Values);
        Assert.Equal([19L, 39L], harness.Output.Records.Select(r => r.Timestamp));
    }

    [Fact]
    public async Task SlidingWindowsCountEveryRecordOncePerOverlappingWindow()
    {
        var env = TestJobs.Env(2);
        var source = env.FromSource(new DataGeneratorSource<int>(i => (int)i, 60, recordsPerSecond: 300), WatermarkStrategy<int>.NoWatermarks(), "Paced");
        var result = await TestJobs.CollectAsync(source
            .KeyBy(v => v % 2)
            .Window(SlidingProcessingTimeWindows.Of<int>(TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(20)))
            .Aggregate(new KeyedSum(), (key, window, acc) => (Key: key, acc.Sum, acc.Count, window.Start, window.End)));

        // size / slide = 3 windows per record.
        Assert.Equal(3L * Enumerable.Range(0, 60).Sum(), result.Sum(r => r.Sum));
        Assert.Equal(3 * 60, result.Sum(r => r.Count));
        Assert.All(result.GroupBy(r => (r.Key, r.Start)), g => Assert.Single(g));
    }

    [Fact]
    public async Task SessionWindowsWithALongGapFireOncePerKeyAtTheEndOfABoundedInput()
    {
        var env = TestJobs.Env(2);
        var values = Enumerable.Range(0, 1000).ToArray();
        var result = await TestJobs.CollectAsync(env.FromCollection(values)
            .KeyBy(v => v % 4)
            .Window(ProcessingTimeSessionWindows.WithGap<int>(TimeSpan.FromMinutes(10)))
            .Aggregate(new KeyedSum(), (key, window, acc) => (Key: key, acc.Sum, acc.Count, window.Start, window.End)));

        Assert.Equal(
            values.GroupBy(v => v % 4).Select(g => (g.Key, g.Sum(v => (long)v), g.Count())).OrderBy(g => g.Key),
            result.Select(r => (r.Key, r.Sum, r.Count)).OrderBy(r => r.Key));
    }

    private sealed class KeyedSum : Rill.Functions.IAggregateFunction<int, (long Sum, int Count), (long Sum, int Count)>
    {
        public (long Sum, int Count) CreateAccumulator() => (0, 0);

        public (long Sum, int Count) Add(int value, (long Sum, int Count) accumulator) => (accumulator.Sum + value, accumulator.Count + 1);

        public (long Sum, int Count) GetResult((long Sum, int Count) accumulator) => accumulator;

        public (long Sum, int Count) Merge((long Sum, int Count) a, (long Sum, int Count) b) => (a.Sum + b.Sum, a.Count + b.Count);
    }
}
