using System.Collections.Concurrent;
using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tasks;
using Rill.Tests.TestSupport;
using Rill.Windowing;

namespace Rill.Tests.EventTime;

public sealed class WatermarkTests
{
    private static readonly (long? Watermark, bool? Idle) NoChange = (null, null);

    // StatusWatermarkValve, driven directly.

    [Fact]
    public void ValveEmitsTheMinimumAcrossChannels()
    {
        var valve = new StatusWatermarkValve(3);
        Assert.Null(valve.InputWatermark(10, 0)); // channels 1 and 2 have no watermark yet
        Assert.Null(valve.InputWatermark(5, 1));
        Assert.Equal(5, valve.InputWatermark(7, 2));
        Assert.Equal(7, valve.InputWatermark(8, 1)); // [10, 8, 7]
        Assert.Equal(8, valve.InputWatermark(20, 2)); // [10, 8, 20]
        Assert.Null(valve.InputWatermark(30, 2)); // min is still channel 1's 8
        Assert.Equal(10, valve.InputWatermark(12, 1)); // [10, 12, 30]
        Assert.Equal(10, valve.CurrentWatermark);
    }

    [Fact]
    public void ValveOnlyMovesForward()
    {
        var valve = new StatusWatermarkValve(2);
        Assert.Null(valve.InputWatermark(10, 0));
        Assert.Equal(10, valve.InputWatermark(10, 1));
        Assert.Null(valve.InputWatermark(4, 0)); // a channel going backwards is ignored
        Assert.Null(valve.InputWatermark(10, 0));
        Assert.Equal(10, valve.CurrentWatermark);
        Assert.Null(valve.InputWatermark(15, 1));
        Assert.Equal(15, valve.InputWatermark(16, 0)); // channel 0 kept 10 (not 4), so the minimum is now 15
    }

    [Fact]
    public void ValveIgnoresIdleChannelsUntilTheyCatchUp()
    {
        var valve = new StatusWatermarkValve(2);
        Assert.Null(valve.InputWatermark(10, 0));
        var (advanced, idle) = valve.InputWatermarkStatus(true, 1);
        Assert.Equal(10, advanced); // the idle channel no longer holds the watermark back
        Assert.Null(idle); // one channel is still active
        Assert.Equal(15, valve.InputWatermark(15, 0));
        Assert.Null(valve.InputWatermark(99, 1)); // watermarks of an idle channel are ignored

        Assert.Equal(NoChange, valve.InputWatermarkStatus(false, 1)); // active again, but behind: not aligned
        Assert.Null(valve.InputWatermark(12, 1)); // below the output watermark: still not aligned, does not pull it back
        Assert.Equal(16, valve.InputWatermark(16, 0));
        Assert.Null(valve.InputWatermark(17, 1)); // caught up: aligned again, min(16, 17) = 16
        Assert.Equal(17, valve.InputWatermark(20, 0)); // now channel 1 holds it back
        Assert.Equal(17, valve.CurrentWatermark);
    }

    [Fact]
    public void ValveMarksItselfIdleWhenEveryChannelIsIdleAndFlushesTheMaximum()
    {
        var valve = new StatusWatermarkValve(2);
        Assert.Null(valve.InputWatermark(10, 0));
        Assert.Equal(4, valve.InputWatermark(4, 1));
        Assert.Equal(NoChange, valve.InputWatermarkStatus(true, 0)); // channel 1 (4) is the minimum of the active ones
        var (advanced, idle) = valve.InputWatermarkStatus(true, 1);
        Assert.Equal(10, advanced);
        Assert.True(idle);
        Assert.Null(valve.InputWatermark(50, 0)); // idle valve ignores watermarks
        Assert.Equal(((long?)null, (bool?)false), valve.InputWatermarkStatus(false, 0)); // one channel active again: output active
        Assert.Equal(NoChange, valve.InputWatermarkStatus(false, 1)); // already active
    }

    [Fact]
    public void ValveFlushesTheMaximumOnlyWhenTheLastChannelToGoIdleHeldTheWatermark()
    {
        // Flink's StatusWatermarkValve flushes the maximum when the last active channel goes idle only if that
        // channel's watermark is the current output watermark. A channel that came back behind the output (and
        // is therefore unaligned) does not release the other channels' higher watermarks when it goes idle.
        var valve = new StatusWatermarkValve(3);
        Assert.Null(valve.InputWatermark(30, 0));
        Assert.Null(valve.InputWatermark(10, 1));
        Assert.Equal(10, valve.InputWatermark(20, 2));
        Assert.Equal(((long?)20, (bool?)null), valve.InputWatermarkStatus(true, 1)); // min(30, 20)
        Assert.Equal(NoChange, valve.InputWatermarkStatus(false, 1)); // back at 10 < 20: unaligned
        Assert.Equal(NoChange, valve.InputWatermarkStatus(true, 0)); // channel 2 (20) still holds the minimum
        Assert.Equal(NoChange, valve.InputWatermarkStatus(true, 2)); // only the unaligned channel 1 is active: nothing to advance to
        Assert.Equal(((long?)null, (bool?)true), valve.InputWatermarkStatus(true, 1)); // all idle, but channel 1 (10) was not the output (20): no flush
        Assert.Equal(20, valve.CurrentWatermark);
    }

    [Fact]
    public void FinishedChannelNoLongerHoldsTheWatermarkBack()
    {
        var valve = new StatusWatermarkValve(2);
        Assert.Null(valve.InputWatermark(5, 0));
        Assert.Equal(3, valve.InputWatermark(3, 1));
        Assert.Equal(5, valve.ChannelFinished(1));
        Assert.Equal(long.MaxValue, valve.ChannelFinished(0));
    }

    // Watermark generators, driven directly.

    [Fact]
    public void BoundedOutOfOrdernessIsMaxTimestampMinusBoundMinusOne()
    {
        var generator = new BoundedOutOfOrdernessWatermarks<int>(TimeSpan.FromMilliseconds(50));
        var output = new RecordingWatermarkOutput();
        generator.OnPeriodicEmit(output);
        Assert.Equal([long.MinValue], output.Watermarks); // nothing seen yet: no progress, and no underflow
        var timestamps = new long[] { 100, 300, 200, 250, 1000, -5 };
        foreach (var ts in timestamps)
        {
            generator.OnEvent(0, ts, output);
        }

        Assert.Single(output.Watermarks); // bounded out-of-orderness emits only periodically
        generator.OnPeriodicEmit(output);
        Assert.Equal(timestamps.Max() - 50 - 1, output.Watermarks[^1]);
    }

    [Fact]
    public void MonotonousTimestampsTrailTheMaximumByOne()
    {
        var generator = WatermarkStrategy<int>.ForMonotonousTimestamps().CreateGenerator(() => 0);
        var output = new RecordingWatermarkOutput();
        generator.OnEvent(0, 41, output);
        generator.OnEvent(0, 42, output);
        generator.OnPeriodicEmit(output);
        Assert.Equal([41], output.Watermarks);
    }

    [Fact]
    public void IdlenessMarksTheOutputIdleAfterTheTimeoutAndActiveOnTheNextEvent()
    {
        long now = 1_000;
        var generator = WatermarkStrategy<int>.ForMonotonousTimestamps().WithIdleness(TimeSpan.FromMilliseconds(100)).CreateGenerator(() => now);
        var output = new RecordingWatermarkOutput();
        generator.OnEvent(0, 10, output);
        now += 50;
        generator.OnPeriodicEmit(output);
        now += 100;
        generator.OnPeriodicEmit(output);
        generator.OnPeriodicEmit(output); // stays idle, emits nothing
        generator.OnEvent(0, 20, output);
        generator.OnPeriodicEmit(output);
        Assert.Equal(["wm:9", "idle", "active", "wm:19"], output.Events);
    }

    // End to end.

    [Fact]
    public async Task CombinedWatermarkOfAUnionWaitsForTheSlowestInput()
    {
        var env = TestJobs.Env(1);
        // Fast input: 1000 records, event time up to 999. Slow input: 10 records at 40/s, event time 0..45.
        var fast = env.FromSource(new DataGeneratorSource<(string Source, long Timestamp)>(i => ("fast", i), 1000),
            TestJobs.Punctuated<(string Source, long Timestamp)>(r => r.Timestamp), "Fast");
        var slow = env.FromSource(new DataGeneratorSource<(string Source, long Timestamp)>(i => ("slow", i * 5), 10, recordsPerSecond: 40),
            TestJobs.Punctuated<(string Source, long Timestamp)>(r => r.Timestamp), "Slow");
        var union = fast.Union(slow);
        var seen = new CollectSink<(string Source, long Timestamp, long Watermark)>();
        union.KeyBy(_ => 0).Process(new WatermarkRecorder()).SinkTo(seen);
        var windows = new CollectSink<(long Start, int Fast, int Slow, long WatermarkAtFiring)>();
        union.KeyBy(_ => 0)
            .Window(TumblingEventTimeWindows.Of<(string Source, long Timestamp)>(TimeSpan.FromMilliseconds(100)))
            .Process(new CountBySource())
            .SinkTo(windows);

        var result = await TestJobs.RunAsync(env);

        Assert.Equal(1010, seen.Count);
        // The combined watermark is the minimum over both inputs, so it never passes a record of the slow input.
        Assert.All(seen.Values, r => Assert.True(r.Watermark < r.Timestamp, $"{r.Source} record at {r.Timestamp} saw watermark {r.Watermark}"));
        Assert.Contains(seen.Values, r => r.Source == "slow" && r.Watermark > long.MinValue); // the slow input advanced event time too
        var expected = Enumerable.Range(0, 1000).Select(i => (Source: "fast", Ts: (long)i))
            .Concat(Enumerable.Range(0, 10).Select(i => (Source: "slow", Ts: i * 5L)))
            .GroupBy(r => r.Ts / 100)
            .Select(g => (Start: g.Key * 100, Fast: g.Count(r => r.Source == "fast"), Slow: g.Count(r => r.Source == "slow")))
            .OrderBy(w => w.Start);
        Assert.Equal(expected, windows.Values.Select(w => (w.Start, w.Fast, w.Slow)).OrderBy(w => w.Start));
        // The first window held every slow record: it fired only after the slow input had advanced past it.
        Assert.Equal(0, result.GetAccumulatorResult("numLateRecordsDropped"));
    }

    [Fact]
    public async Task AnIdleInputDoesNotHoldBackTheWatermarkOfAUnion()
    {
        // "Quiet" emits 5 records and then nothing for 1.5 s before it ends; with idleness it is marked idle after
        // 100 ms, so windows fed by the "Busy" input fire while "Quiet" is still silent.
        var env = TestJobs.Env(1).SetAutoWatermarkInterval(TimeSpan.FromMilliseconds(10));
        var quiet = new PausingSource(5, TimeSpan.FromMilliseconds(1500));
        var strategy = WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(v => v);
        var busy = env.FromSource(new DataGeneratorSource<long>(i => i * 10, 60, recordsPerSecond: 100), strategy, "Busy");
        var windows = await TestJobs.CollectAsync(env.FromSource(quiet, strategy.WithIdleness(TimeSpan.FromMilliseconds(100)), "Quiet")
            .Union(busy)
            .KeyBy(_ => 0)
            .Window(TumblingEventTimeWindows.Of<long>(TimeSpan.FromMilliseconds(100)))
            .Aggregate(new Rill.Functions.CountAggregate<long>(), (_, window, count) => (window.Start, Count: count, FiredAt: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));

        var expected = Enumerable.Range(0, 5).Select(i => (long)i).Concat(Enumerable.Range(0, 60).Select(i => i * 10L))
            .GroupBy(ts => ts / 100 * 100).Select(g => (g.Key, (long)g.Count())).OrderBy(w => w.Key);
        Assert.Equal(expected, windows.Select(w => (w.Start, w.Count)).OrderBy(w => w.Start));
        Assert.True(windows.Count(w => w.FiredAt < quiet.FinishedAt) >= 3,
            $"only {windows.Count(w => w.FiredAt < quiet.FinishedAt)} windows fired before the idle input ended: the idle input held the watermark back");
    }

    [Fact]
    public async Task PeriodicWatermarksFlowDownstreamAndNeverOvertakeTheData()
    {
        var env = TestJobs.Env(1).SetAutoWatermarkInterval(TimeSpan.FromMilliseconds(5));
        var source = env.FromSource(new DataGeneratorSource<long>(i => i * 10, 40, recordsPerSecond: 200),
            WatermarkStrategy<long>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(15)).WithTimestampAssigner(v => v), "Periodic");
        var result = await TestJobs.CollectAsync(source.Rebalance().Process(new ProcessWatermarkRecorder()));

        Assert.Equal(40, result.Count);
        Assert.Equal(result.Select(r => r.Watermark).Order(), result.Select(r => r.Watermark)); // never moves back
        var maxSoFar = long.MinValue;
        foreach (var (ts, watermark) in result)
        {
            maxSoFar = Math.Max(maxSoFar, ts);
            Assert.True(watermark <= maxSoFar - 15 - 1, $"record {ts} saw watermark {watermark}, ahead of the data");
        }

        Assert.Contains(result, r => r.Watermark > long.MinValue); // periodic watermarks reached the operator while running
    }

    [Fact]
    public async Task PunctuatedWatermarkEmittedInOnEventFollowsTheRecordFromASource()
    {
        // Flink's SourceOutputWithWatermarks emits the record before calling the generator's onEvent, so a
        // generator may emit a watermark equal to the record's own timestamp without making that record late.
        var env = TestJobs.Env(1);
        var source = env.FromSource(new CollectionSource<long>(Enumerable.Range(0, 20).Select(i => (long)i).ToArray()),
            WatermarkStrategy<long>.ForGenerator(() => new TimestampIsWatermark()).WithTimestampAssigner(v => v), "Punctuated");
        await AssertRecordsAreNotLateAsync(env, source);
    }

    [Fact]
    public async Task PunctuatedWatermarkEmittedInOnEventFollowsTheRecordMidPipeline()
    {
        // Flink's TimestampsAndWatermarksOperator: output.collect(element) first, then watermarkGenerator.onEvent.
        var env = TestJobs.Env(1);
        var stream = env.FromCollection(Enumerable.Range(0, 20).Select(i => (long)i).ToArray())
            .AssignTimestampsAndWatermarks(WatermarkStrategy<long>.ForGenerator(() => new TimestampIsWatermark()).WithTimestampAssigner(v => v));
        await AssertRecordsAreNotLateAsync(env, stream);
    }

    private static async Task AssertRecordsAreNotLateAsync(StreamExecutionEnvironment env, DataStream<long> stream)
    {
        var seen = new CollectSink<(string Source, long Timestamp, long Watermark)>();
        stream.Map(v => ("x", v)).KeyBy(_ => 0).Process(new WatermarkRecorder()).SinkTo(seen);
        var sums = new CollectSink<long>();
        stream.KeyBy(_ => 0).Window(TumblingEventTimeWindows.Of<long>(TimeSpan.FromMilliseconds(10))).Reduce((a, b) => a + b).SinkTo(sums);

        var result = await TestJobs.RunAsync(env);

        Assert.All(seen.Values, r => Assert.True(r.Watermark < r.Timestamp, $"record {r.Timestamp} was processed after watermark {r.Watermark}"));
        Assert.Equal(0, result.GetAccumulatorResult("numLateRecordsDropped"));
        Assert.Equal([Enumerable.Range(0, 10).Sum(), Enumerable.Range(10, 10).Sum()], sums.Values.Select(v => (int)v).Order());
    }

    /// <summary>Emits 0..count-1 at once, then nothing for a while, then ends. For parallelism 1.</summary>
    private sealed class PausingSource(int count, TimeSpan pause) : ISource<long, IndexRangeSplit>
    {
        private long _finishedAt = long.MaxValue;

        public long FinishedAt => Interlocked.Read(ref _finishedAt);

        public Boundedness Boundedness => Boundedness.Bounded;

        public int? MaxParallelism => 1;

        public ISplitEnumerator<IndexRangeSplit> CreateEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context) =>
            new StaticSplitEnumerator<IndexRangeSplit>(context, []);

        public ISplitEnumerator<IndexRangeSplit> RestoreEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context, IReadOnlyList<IndexRangeSplit> unassignedSplits) =>
            throw new NotSupportedException("This test source runs without checkpoints.");

        public ISourceReader<long, IndexRangeSplit> CreateReader(ISourceReaderContext context) => new Reader(this);

        private sealed class Reader(PausingSource source) : ISourceReader<long, IndexRangeSplit>
        {
            private long _pauseEnds;
            private int _emitted;

            public void Start()
            {
            }

            public InputStatus PollNext(IReaderOutput<long> output)
            {
                if (_emitted < source.Box.Count)
                {
                    output.Collect(_emitted++);
                    if (_emitted == source.Box.Count)
                    {
                        _pauseEnds = Environment.TickCount64 + (long)source.Box.Pause.TotalMilliseconds;
                    }

                    return InputStatus.MoreAvailable;
                }

                if (Environment.TickCount64 < _pauseEnds)
                {
                    return InputStatus.NothingAvailable;
                }

                Interlocked.CompareExchange(ref source._finishedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), long.MaxValue);
                return InputStatus.EndOfInput;
            }

            public Task IsAvailable() => Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, _pauseEnds - Environment.TickCount64)));

            public void AddSplits(IReadOnlyList<IndexRangeSplit> splits)
            {
            }

            public IReadOnlyList<IndexRangeSplit> SnapshotState(long checkpointId) => [];

            public void NotifyNoMoreSplits()
            {
            }

            public void Dispose()
            {
            }
        }

        private (int Count, TimeSpan Pause) Box => (count, pause);
    }

    /// <summary>A punctuated generator for strictly increasing timestamps: "no more records at or before this one".</summary>
    private sealed class TimestampIsWatermark : IWatermarkGenerator<long>
    {
        public void OnEvent(long value, long eventTimestamp, IWatermarkOutput output) => output.EmitWatermark(new Watermark(eventTimestamp));

        public void OnPeriodicEmit(IWatermarkOutput output)
        {
        }
    }

    private sealed class WatermarkRecorder : KeyedProcessFunction<int, (string Source, long Timestamp), (string Source, long Timestamp, long Watermark)>
    {
        public override void ProcessElement((string Source, long Timestamp) value, Context context, ICollector<(string Source, long Timestamp, long Watermark)> output) =>
            output.Collect((value.Source, value.Timestamp, context.TimerService.CurrentWatermark));
    }

    private sealed class ProcessWatermarkRecorder : ProcessFunction<long, (long Timestamp, long Watermark)>
    {
        public override void ProcessElement(long value, Context context, ICollector<(long Timestamp, long Watermark)> output) =>
            output.Collect((context.Timestamp ?? throw new InvalidOperationException("record without timestamp"), context.CurrentWatermark));
    }

    private sealed class CountBySource : ProcessWindowFunction<(string Source, long Timestamp), (long Start, int Fast, int Slow, long WatermarkAtFiring), int, TimeWindow>
    {
        public override void Process(int key, Context context, IEnumerable<(string Source, long Timestamp)> elements,
            ICollector<(long Start, int Fast, int Slow, long WatermarkAtFiring)> output)
        {
            var list = elements.ToList();
            output.Collect((context.Window.Start, list.Count(e => e.Source == "fast"), list.Count(e => e.Source == "slow"), context.CurrentWatermark));
        }
    }
}
