using Rill.Api;
using Rill.Sinks;
using Rill.Tests.TestSupport;
using Rill.Windowing;

namespace Rill.Tests.Windowing;

/// <summary>
/// Allowed lateness and late data. Time is driven by the data only: one source subtask whose generator emits
/// "max timestamp − 1" from OnEvent, so every run sees the same watermarks at the same points in the stream.
/// </summary>
public sealed class AllowedLatenessTests
{
    private const string DroppedCounter = "numLateRecordsDropped";

    // Key 1, tumbling 10 ms windows, allowed lateness 5 ms. Values are powers of two so every sum names its records.
    private static readonly Event[] Scenario =
    [
        new(1, 1, 1), new(1, 5, 2), new(1, 12, 4), // watermark 11: [0,10) fires {1,5}
        new(1, 3, 8), // late, but 3 + 5 > 11: [0,10) fires again with {1,5,3}
        new(1, 20, 16), // watermark 19: [10,20) fires {12}; [0,10) is cleaned up (9 + 5 <= 19)
        new(1, 4, 32), // too late: 4 + 5 <= 19
        new(1, 15, 64), // late, within lateness of [10,20): fires again with {12,15}
    ];

    [Fact]
    public async Task LateRecordsWithinLatenessFireTheWindowAgainAndTooLateOnesGoToTheSideOutput()
    {
        var env = TestJobs.Env(1);
        var lateTag = new OutputTag<Event>("late");
        var main = new CollectSink<WindowResult>();
        var late = new CollectSink<Event>(recordTimestamps: true);
        var windowed = Build(env, Scenario, 10, TimeSpan.FromMilliseconds(5), lateTag);
        windowed.SinkTo(main);
        windowed.GetSideOutput(lateTag).SinkTo(late);

        var result = await TestJobs.RunAsync(env);

        Assert.Equal(
        [
            new WindowResult(1, 0, 10, 3, 2),
            new WindowResult(1, 0, 10, 11, 3), // the updated (second) firing
            new WindowResult(1, 10, 20, 4, 1),
            new WindowResult(1, 10, 20, 68, 2),
            new WindowResult(1, 20, 30, 16, 1),
        ], main.Values);
        Assert.Equal([(new Event(1, 4, 32), (long?)4)], late.ValuesWithTimestamps); // late records keep their own timestamp
        Assert.Equal(0, result.GetAccumulatorResult(DroppedCounter));
    }

    [Fact]
    public async Task WithoutASideOutputTooLateRecordsAreCountedAsDropped()
    {
        var env = TestJobs.Env(1);
        var main = new CollectSink<WindowResult>();
        Build(env, Scenario, 10, TimeSpan.FromMilliseconds(5), lateTag: null).SinkTo(main);

        var result = await TestJobs.RunAsync(env);

        Assert.Equal(5, main.Count);
        Assert.Equal(1, result.GetAccumulatorResult(DroppedCounter));
    }

    [Fact]
    public async Task WithoutAllowedLatenessEveryLateRecordGoesToTheSideOutput()
    {
        var env = TestJobs.Env(1);
        var lateTag = new OutputTag<Event>("late");
        var main = new CollectSink<WindowResult>();
        var late = new CollectSink<Event>();
        var windowed = Build(env, Scenario, 10, TimeSpan.Zero, lateTag);
        windowed.SinkTo(main);
        windowed.GetSideOutput(lateTag).SinkTo(late);

        var result = await TestJobs.RunAsync(env);

        Assert.Equal([new WindowResult(1, 0, 10, 3, 2), new WindowResult(1, 10, 20, 4, 1), new WindowResult(1, 20, 30, 16, 1)], main.Values);
        Assert.Equal([new Event(1, 3, 8), new Event(1, 4, 32), new Event(1, 15, 64)], late.Values);
        Assert.Equal(0, result.GetAccumulatorResult(DroppedCounter));
    }

    [Theory]
    [InlineData(11, 0L, true)]
    [InlineData(12, 40L, true)]
    [InlineData(13, 150L, false)]
    public async Task RandomLateDataMatchesAReferenceModelAndNothingIsLostSilently(int seed, long latenessMs, bool withSideOutput)
    {
        const long size = 50;
        var events = LateData(seed, count: 3000, keys: 5, size, latenessMs);
        var (expectedFirings, expectedLate) = Simulate(events, size, latenessMs);
        Assert.NotEmpty(expectedLate); // the data really contains records beyond the lateness
        Assert.Contains(expectedFirings.GroupBy(f => (f.Key, f.Start)), g => g.Count() > 1 || latenessMs == 0);

        var env = TestJobs.Env(2);
        var lateTag = new OutputTag<Event>("late");
        var main = new CollectSink<WindowResult>();
        var late = new CollectSink<Event>();
        var windowed = Build(env, events, size, TimeSpan.FromMilliseconds(latenessMs), withSideOutput ? lateTag : null);
        windowed.SinkTo(main);
        if (withSideOutput)
        {
            windowed.GetSideOutput(lateTag).SinkTo(late);
        }

        var result = await TestJobs.RunAsync(env);

        EventTimeWindowTests.AssertSameWindows(expectedFirings, main.Values);
        if (withSideOutput)
        {
            Assert.Equal(expectedLate.OrderBy(e => (e.Key, e.Timestamp, e.Value)), late.Values.OrderBy(e => (e.Key, e.Timestamp, e.Value)));
            Assert.Equal(0, result.GetAccumulatorResult(DroppedCounter));
        }
        else
        {
            Assert.Equal(expectedLate.Count, result.GetAccumulatorResult(DroppedCounter));
        }

        // Every record is accounted for: in the last firing of its window, or reported as late.
        var lastFirings = main.Values.GroupBy(w => (w.Key, w.Start)).Sum(g => g.Max(w => w.Count));
        Assert.Equal(events.Count, lastFirings + expectedLate.Count);
    }

    private static DataStream<WindowResult> Build(StreamExecutionEnvironment env, IReadOnlyList<Event> events, long sizeMs, TimeSpan lateness, OutputTag<Event>? lateTag)
    {
        var windowed = EventTimeWindowTests.Timestamped(env, events, outOfOrderness: 0)
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of<Event>(TimeSpan.FromMilliseconds(sizeMs)))
            .AllowedLateness(lateness);
        if (lateTag is not null)
        {
            windowed = windowed.SideOutputLateData(lateTag);
        }

        return windowed.Aggregate(new SumCount(), (key, window, acc) => new WindowResult(key, window.Start, window.End, acc.Sum, acc.Count));
    }

    /// <summary>Mostly ordered data with some records arriving behind the maximum by up to three times the lateness plus a window.</summary>
    private static List<Event> LateData(int seed, int count, int keys, long size, long lateness)
    {
        var random = new Random(seed);
        var events = new List<Event>();
        long max = 0;
        for (var i = 0; i < count; i++)
        {
            long ts;
            if (random.NextDouble() < 0.2)
            {
                ts = max - random.NextInt64(0, (3 * lateness) + size + 1);
            }
            else
            {
                ts = max + random.NextInt64(0, 8);
                max = ts;
            }

            events.Add(new Event(random.Next(keys), ts, random.Next(1, 100)));
        }

        return events;
    }

    /// <summary>
    /// Flink's WindowOperator for tumbling event-time windows with the default trigger, written out plainly: the
    /// watermark after each record is max − 1; a window fires when the watermark reaches its max timestamp and again
    /// for every record that arrives late but before its cleanup time (max timestamp + lateness); records whose window
    /// is already cleaned up are late.
    /// </summary>
    private static (List<WindowResult> Firings, List<Event> Late) Simulate(IReadOnlyList<Event> events, long size, long lateness)
    {
        var watermark = long.MinValue;
        var max = long.MinValue;
        var windows = new Dictionary<(int Key, long Start), List<Event>>();
        var firings = new List<WindowResult>();
        var late = new List<Event>();

        void Fire((int Key, long Start) id) =>
            firings.Add(new WindowResult(id.Key, id.Start, id.Start + size, windows[id].Sum(e => (long)e.Value), windows[id].Count));

        void AdvanceTo(long next)
        {
            if (next <= watermark)
            {
                return;
            }

            foreach (var id in windows.Keys.Where(id => id.Start + size - 1 > watermark && id.Start + size - 1 <= next).ToList())
            {
                Fire(id);
            }

            foreach (var id in windows.Keys.Where(id => id.Start + size - 1 + lateness <= next).ToList())
            {
                windows.Remove(id);
            }

            watermark = next;
        }

        foreach (var e in events)
        {
            var id = (e.Key, Start: EventData.WindowStart(e.Timestamp, 0, size));
            var maxTimestamp = id.Start + size - 1;
            if (maxTimestamp + lateness <= watermark)
            {
                late.Add(e);
            }
            else
            {
                if (!windows.TryGetValue(id, out var contents))
                {
                    windows[id] = contents = [];
                }

                contents.Add(e);
                if (maxTimestamp <= watermark)
                {
                    Fire(id);
                }
            }

            if (e.Timestamp > max)
            {
                max = e.Timestamp;
                AdvanceTo(max - 1);
            }
        }

        AdvanceTo(long.MaxValue);
        return (firings, late);
    }
}
