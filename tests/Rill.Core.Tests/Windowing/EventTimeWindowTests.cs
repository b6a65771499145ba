using Rill.Api;
using Rill.Functions;
using Rill.Tests.TestSupport;
using Rill.Windowing;

namespace Rill.Tests.Windowing;

/// <summary>
/// Event-time windows on out-of-order data whose watermarks depend only on the data, so no record is late and the
/// result must equal the windows computed with LINQ.
/// </summary>
public sealed class EventTimeWindowTests
{
    private const long OutOfOrderness = 250;

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 30)]
    [InlineData(4, 0)]
    [InlineData(4, -40)]
    public async Task TumblingWindowsMatchLinq(int parallelism, long offset)
    {
        const long size = 100;
        var events = EventData.OutOfOrder(seed: 1, count: 3000, keys: 7, minTimestamp: -1000, maxTimestamp: 10_000, OutOfOrderness);
        var env = TestJobs.Env(parallelism);
        var result = await TestJobs.CollectAsync(Timestamped(env, events)
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of<Event>(TimeSpan.FromMilliseconds(size), TimeSpan.FromMilliseconds(offset)))
            .Aggregate(new SumCount(), (key, window, acc) => new WindowResult(key, window.Start, window.End, acc.Sum, acc.Count)));

        var expected = events
            .GroupBy(e => (e.Key, Start: EventData.WindowStart(e.Timestamp, offset, size)))
            .Select(g => new WindowResult(g.Key.Key, g.Key.Start, g.Key.Start + size, g.Sum(e => (long)e.Value), g.Count()));
        AssertSameWindows(expected, result);
    }

    [Theory]
    [InlineData(1, 300, 100)]
    [InlineData(3, 300, 100)]
    [InlineData(2, 250, 100)] // size not a multiple of the slide: two or three windows per record
    [InlineData(2, 50, 100)] // slide larger than size: some records belong to no window
    public async Task SlidingWindowsMatchLinq(int parallelism, long size, long slide)
    {
        var events = EventData.OutOfOrder(seed: 2, count: 2000, keys: 5, minTimestamp: -500, maxTimestamp: 8000, OutOfOrderness);
        var env = TestJobs.Env(parallelism);
        var result = await TestJobs.CollectAsync(Timestamped(env, events)
            .KeyBy(e => e.Key)
            .Window(SlidingEventTimeWindows.Of<Event>(TimeSpan.FromMilliseconds(size), TimeSpan.FromMilliseconds(slide)))
            .Aggregate(new SumCount(), (key, window, acc) => new WindowResult(key, window.Start, window.End, acc.Sum, acc.Count)));

        var expected = events
            .SelectMany(e => Enumerable.Range(0, (int)(size / slide) + 2)
                .Select(i => EventData.WindowStart(e.Timestamp, 0, slide) - (i * slide))
                .Where(start => start <= e.Timestamp && e.Timestamp < start + size)
                .Select(start => (Event: e, Start: start)))
            .GroupBy(x => (x.Event.Key, x.Start))
            .Select(g => new WindowResult(g.Key.Key, g.Key.Start, g.Key.Start + size, g.Sum(x => (long)x.Event.Value), g.Count()));
        AssertSameWindows(expected, result);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task SessionWindowsMatchLinq(int parallelism)
    {
        // Even timestamps and an odd gap: no two session windows ever just touch, so the expectation does not depend
        // on whether touching windows merge, and no already-fired session can be extended by a later record.
        const long gap = 51;
        var events = EventData.OutOfOrder(seed: 3, count: 1500, keys: 6, 0, 0, OutOfOrderness, r => r.NextInt64(0, 20_000) * 2);
        var env = TestJobs.Env(parallelism);
        var result = await TestJobs.CollectAsync(Timestamped(env, events)
            .KeyBy(e => e.Key)
            .Window(EventTimeSessionWindows.WithGap<Event>(TimeSpan.FromMilliseconds(gap)))
            .Aggregate(new SumCount(), (key, window, acc) => new WindowResult(key, window.Start, window.End, acc.Sum, acc.Count)));

        var expected = new List<WindowResult>();
        foreach (var byKey in events.GroupBy(e => e.Key))
        {
            var sorted = byKey.OrderBy(e => e.Timestamp).ToList();
            var session = new List<Event> { sorted[0] };
            foreach (var e in sorted.Skip(1))
            {
                if (e.Timestamp > session[^1].Timestamp + gap)
                {
                    expected.Add(Session(byKey.Key, session, gap));
                    session = [];
                }

                session.Add(e);
            }

            expected.Add(Session(byKey.Key, session, gap));
        }

        Assert.Contains(expected, w => w.Count > 1); // the data really exercises merging
        AssertSameWindows(expected, result);

        static WindowResult Session(int key, List<Event> events, long gap) =>
            new(key, events[0].Timestamp, events[^1].Timestamp + gap, events.Sum(e => (long)e.Value), events.Count);
    }

    [Fact]
    public async Task SessionWindowsMergeWhenALateArrivalBridgesTwoSessions()
    {
        var events = new[]
        {
            new Event(1, 0, 1), new Event(1, 100, 2), new Event(2, 40, 100), // key 1: [0,60) and [100,160); key 2: [40,100)
            new Event(1, 50, 4), // bridges key 1's sessions: [50,110) overlaps both
            new Event(1, 1000, 8), new Event(2, 1000, 16),
        };
        var env = TestJobs.Env(1);
        var result = await TestJobs.CollectAsync(Timestamped(env, events, outOfOrderness: 200)
            .KeyBy(e => e.Key)
            .Window(EventTimeSessionWindows.WithGap<Event>(TimeSpan.FromMilliseconds(60)))
            .Aggregate(new SumCount(), (key, window, acc) => new WindowResult(key, window.Start, window.End, acc.Sum, acc.Count)));

        AssertSameWindows(
        [
            new WindowResult(1, 0, 160, 7, 3),
            new WindowResult(2, 40, 100, 100, 1),
            new WindowResult(1, 1000, 1060, 8, 1),
            new WindowResult(2, 1000, 1060, 16, 1),
        ], result);
    }

    [Fact]
    public async Task WindowReduceAndProcessSeeTheSameWindows()
    {
        const long size = 250;
        var events = EventData.OutOfOrder(seed: 4, count: 1000, keys: 4, 0, 5000, OutOfOrderness);
        var env = TestJobs.Env(2);
        var source = Timestamped(env, events);
        var reduced = new Rill.Sinks.CollectSink<Event>(recordTimestamps: true);
        source.KeyBy(e => e.Key).Window(TumblingEventTimeWindows.Of<Event>(TimeSpan.FromMilliseconds(size)))
            .Reduce((a, b) => new Event(a.Key, Math.Max(a.Timestamp, b.Timestamp), a.Value + b.Value))
            .SinkTo(reduced);
        var processed = new Rill.Sinks.CollectSink<(int Key, long Start, string Values)>();
        source.KeyBy(e => e.Key).Window(TumblingEventTimeWindows.Of<Event>(TimeSpan.FromMilliseconds(size)))
            .Process(new ListElements())
            .SinkTo(processed);

        await TestJobs.RunAsync(env);

        var groups = events.GroupBy(e => (e.Key, Start: EventData.WindowStart(e.Timestamp, 0, size))).ToList();
        Assert.Equal(
            groups.Select(g => (g.Key.Key, g.Max(e => e.Timestamp), g.Sum(e => e.Value))).Order(),
            reduced.Values.Select(e => (e.Key, e.Timestamp, e.Value)).Order());
        // Reduce results carry the window's max timestamp as their event time (Flink: window.maxTimestamp()).
        Assert.All(reduced.ValuesWithTimestamps, r => Assert.Equal(EventData.WindowStart(r.Value.Timestamp, 0, size) + size - 1, r.Timestamp));
        Assert.Equal(
            groups.Select(g => (g.Key.Key, g.Key.Start, string.Join(",", g.Select(e => e.Value).Order()))).Order(),
            processed.Values.Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task CascadedWindowsSeeTheFirstWindowsResultsInTime(int parallelism)
    {
        // Window results carry the window's max timestamp and are emitted before the watermark that fired them
        // moves on, so a second, coarser window downstream never sees them as late.
        var events = EventData.OutOfOrder(seed: 6, count: 3000, keys: 4, 0, 20_000, OutOfOrderness);
        var env = TestJobs.Env(parallelism);
        var fine = Timestamped(env, events)
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of<Event>(TimeSpan.FromMilliseconds(100)))
            .Reduce((a, b) => new Event(a.Key, Math.Max(a.Timestamp, b.Timestamp), a.Value + b.Value));
        var coarse = new Rill.Sinks.CollectSink<WindowResult>();
        fine.KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of<Event>(TimeSpan.FromMilliseconds(1000)))
            .Aggregate(new SumCount(), (key, window, acc) => new WindowResult(key, window.Start, window.End, acc.Sum, acc.Count))
            .SinkTo(coarse);

        var result = await TestJobs.RunAsync(env);

        var expected = events.GroupBy(e => (e.Key, Start: EventData.WindowStart(e.Timestamp, 0, 1000)))
            .Select(g => new WindowResult(g.Key.Key, g.Key.Start, g.Key.Start + 1000, g.Sum(e => (long)e.Value),
                g.Select(e => EventData.WindowStart(e.Timestamp, 0, 100)).Distinct().Count()));
        AssertSameWindows(expected, coarse.Values);
        Assert.Equal(0, result.GetAccumulatorResult("numLateRecordsDropped"));
    }

    [Theory]
    [InlineData(TriggerResult.Fire)]
    [InlineData(TriggerResult.FireAndPurge)]
    public async Task CustomTriggerDecidesWhenWindowsEmit(TriggerResult onElement)
    {
        var events = EventData.OutOfOrder(seed: 7, count: 500, keys: 3, 0, 3000, OutOfOrderness);
        var env = TestJobs.Env(1);
        var result = await TestJobs.CollectAsync(Timestamped(env, events)
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of<Event>(TimeSpan.FromMilliseconds(200)))
            .Trigger(new OnEveryElement(onElement))
            .Aggregate(new SumCount(), (key, window, acc) => new WindowResult(key, window.Start, window.End, acc.Sum, acc.Count)));

        // One firing per record, in arrival order: the running aggregate of its window, or just the record after a purge.
        var expected = new List<WindowResult>();
        var contents = new Dictionary<(int, long), List<Event>>();
        foreach (var e in events)
        {
            var id = (e.Key, EventData.WindowStart(e.Timestamp, 0, 200));
            if (!contents.TryGetValue(id, out var list))
            {
                contents[id] = list = [];
            }

            list.Add(e);
            expected.Add(new WindowResult(e.Key, id.Item2, id.Item2 + 200, list.Sum(x => (long)x.Value), list.Count));
            if (onElement == TriggerResult.FireAndPurge)
            {
                list.Clear();
            }
        }

        Assert.Equal(expected, result); // and no extra firing when the watermark passes or the window is cleaned up
    }

    [Fact]
    public async Task EventTimeWindowsInBatchModeSeeEveryRecordWhateverTheDisorder()
    {
        // BATCH has no watermarks until the input ends, so even records far out of order are never late.
        var events = EventData.OutOfOrder(seed: 5, count: 2000, keys: 3, 0, 10_000, outOfOrderness: 10_000);
        var env = TestJobs.Env(2, RuntimeExecutionMode.Batch);
        var result = await TestJobs.CollectAsync(Timestamped(env, events, outOfOrderness: 0)
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of<Event>(TimeSpan.FromMilliseconds(1000)))
            .Aggregate(new SumCount(), (key, window, acc) => new WindowResult(key, window.Start, window.End, acc.Sum, acc.Count)));

        var expected = events.GroupBy(e => (e.Key, Start: EventData.WindowStart(e.Timestamp, 0, 1000)))
            .Select(g => new WindowResult(g.Key.Key, g.Key.Start, g.Key.Start + 1000, g.Sum(e => (long)e.Value), g.Count()));
        AssertSameWindows(expected, result);
    }

    internal static DataStream<Event> Timestamped(StreamExecutionEnvironment env, IReadOnlyList<Event> events, long outOfOrderness = OutOfOrderness) =>
        env.FromSource(new Rill.Sources.CollectionSource<Event>(events), TestJobs.Punctuated<Event>(e => e.Timestamp, outOfOrderness), "Events")
            .SetParallelism(1); // one reader: the watermarks follow the data exactly

    internal static void AssertSameWindows(IEnumerable<WindowResult> expected, IEnumerable<WindowResult> actual) =>
        Assert.Equal(expected.OrderBy(w => w.Key).ThenBy(w => w.Start).ThenBy(w => w.Sum).ToList(),
            actual.OrderBy(w => w.Key).ThenBy(w => w.Start).ThenBy(w => w.Sum).ToList());

    private sealed class OnEveryElement(TriggerResult result) : Trigger<Event, TimeWindow>
    {
        public override TriggerResult OnElement(Event element, long timestamp, TimeWindow window, ITriggerContext context) => result;

        public override TriggerResult OnEventTime(long time, TimeWindow window, ITriggerContext context) => TriggerResult.Continue;

        public override TriggerResult OnProcessingTime(long time, TimeWindow window, ITriggerContext context) => TriggerResult.Continue;

        public override void Clear(TimeWindow window, ITriggerContext context)
        {
        }
    }

    private sealed class ListElements : ProcessWindowFunction<Event, (int Key, long Start, string Values), int, TimeWindow>
    {
        public override void Process(int key, Context context, IEnumerable<Event> elements, ICollector<(int Key, long Start, string Values)> output) =>
            output.Collect((key, context.Window.Start, string.Join(",", elements.Select(e => e.Value).Order())));
    }
}

public readonly record struct WindowResult(int Key, long Start, long End, long Sum, int Count);

internal sealed class SumCount : IAggregateFunction<Event, (long Sum, int Count), (long Sum, int Count)>
{
    public (long Sum, int Count) CreateAccumulator() => (0, 0);

    public (long Sum, int Count) Add(Event value, (long Sum, int Count) accumulator) => (accumulator.Sum + value.Value, accumulator.Count + 1);

    public (long Sum, int Count) GetResult((long Sum, int Count) accumulator) => accumulator;

    public (long Sum, int Count) Merge((long Sum, int Count) a, (long Sum, int Count) b) => (a.Sum + b.Sum, a.Count + b.Count);
}
