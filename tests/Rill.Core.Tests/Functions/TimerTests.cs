using System.Collections.Concurrent;
using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Operators;
using Rill.Sources;
using Rill.State;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Functions;

public sealed class TimerTests
{
    /// <summary>Timestamps are multiples of 10; each record registers +3 (twice), +7 (then deletes it), and on multiples of 20 +5 (deleted and registered again).</summary>
    private static List<Event> TimerData(int seed, int count, int keys)
    {
        var random = new Random(seed);
        long ts = 0;
        var events = new List<Event>();
        for (var i = 0; i < count; i++)
        {
            ts += 10 * random.Next(0, 3);
            events.Add(new Event(random.Next(keys), ts, i));
        }

        return events;
    }

    [Fact]
    public async Task EventTimeTimersFireOnceInTimestampOrderWhenTheWatermarkPassesThem()
    {
        var events = TimerData(seed: 21, count: 600, keys: 5);
        var env = TestJobs.Env(1);
        var output = await TestJobs.CollectAsync(Rill.Tests.Windowing.EventTimeWindowTests.Timestamped(env, events, outOfOrderness: 0)
            .KeyBy(e => e.Key)
            .Process(new EventTimeTimers()));
        var firings = output.Where(o => o.Kind == "timer").ToList();

        var expected = events.Select(e => (e.Key, Time: e.Timestamp + 3))
            .Concat(events.Where(e => e.Timestamp % 20 == 0).Select(e => (e.Key, Time: e.Timestamp + 5)))
            .Distinct()
            .OrderBy(t => t.Time).ThenBy(t => t.Key)
            .ToList();
        // Once per (key, time), even though +3 was registered twice and +5 was deleted and re-registered; +7 never.
        Assert.Equal(expected, firings.Select(f => (f.Key, f.Time)).OrderBy(t => t.Time).ThenBy(t => t.Key).ToList());
        Assert.DoesNotContain(firings, f => f.Time % 10 == 7);
        // In timestamp order.
        Assert.Equal(firings.Select(f => f.Time).Order(), firings.Select(f => f.Time));
        // Each fired at the first watermark that reached it: the data's running maximum − 1, or the final watermark.
        var watermarks = new List<long>();
        var max = long.MinValue;
        foreach (var e in events.Where(e => e.Timestamp > max))
        {
            max = e.Timestamp;
            watermarks.Add(max - 1);
        }

        watermarks.Add(long.MaxValue);
        Assert.All(firings, f => Assert.Equal(watermarks.First(w => w >= f.Time), f.Watermark));
        Assert.Contains(firings, f => f.Watermark < long.MaxValue); // most fire while data still flows, not at the end
        Assert.All(firings, f => Assert.Equal(f.Time, f.Timestamp)); // output of an event-time timer carries its time
    }

    [Fact]
    public async Task EventTimeTimersFireOncePerKeyAndTimeAtParallelismFour()
    {
        var events = TimerData(seed: 22, count: 2000, keys: 50);
        var env = TestJobs.Env(4);
        var output = await TestJobs.CollectAsync(Rill.Tests.Windowing.EventTimeWindowTests.Timestamped(env, events, outOfOrderness: 0)
            .KeyBy(e => e.Key)
            .Process(new EventTimeTimers()));
        var firings = output.Where(o => o.Kind == "timer").Select(f => (f.Key, f.Time)).ToList();
        var expected = events.Select(e => (e.Key, Time: e.Timestamp + 3))
            .Concat(events.Where(e => e.Timestamp % 20 == 0).Select(e => (e.Key, Time: e.Timestamp + 5)))
            .Distinct();
        Assert.Equal(expected.Order(), firings.Order());
    }

    [Fact]
    public async Task ProcessingTimeTimersFireWhenTheClockPassesThem()
    {
        // 30 records at 50 per second: the input runs for at least 580 ms. Each key registers a timer 30 ms after its
        // first record (twice), and one 60 ms after that it deletes again.
        var env = TestJobs.Env(1);
        var progress = new ConcurrentQueue<string>();
        var source = env.FromSource(new DataGeneratorSource<int>(i => (int)i, 30, recordsPerSecond: 50), WatermarkStrategy<int>.NoWatermarks(), "Paced");
        var output = await TestJobs.CollectAsync(source.KeyBy(v => v % 3).Process(new ProcessingTimeTimers(progress)));

        var firings = output.Where(o => o.Kind == "timer").ToList();
        Assert.Equal([0, 1, 2], firings.Select(f => f.Key).Order()); // once per key: the duplicate registration did not add one, the deleted one never fired
        Assert.All(firings, f => Assert.True(f.Watermark >= f.Time, $"timer {f.Time} fired at processing time {f.Watermark}"));
        Assert.All(firings, f => Assert.Equal(long.MinValue, f.Timestamp)); // processing-time timers emit without event time
        var registered = output.Where(o => o.Kind == "registered").ToDictionary(o => o.Key, o => o.Time);
        Assert.All(firings, f => Assert.Equal(registered[f.Key], f.Time));
        // They fired while records were still arriving, not only because the input ended.
        var log = progress.ToList();
        Assert.All(firings, f => Assert.True(log.IndexOf($"timer {f.Key}") < log.IndexOf("element 29"), string.Join(" ", log)));
    }

    [Fact]
    public void ProcessingTimeTimersWithAManualClock()
    {
        var function = new ManualClockTimers();
        var harness = new OperatorHarness<(int Key, long Delay), string>(new KeyedProcessOperator<int, (int Key, long Delay), string>(r => r.Key, function), startTime: 1000);

        harness.Process((1, 10)); // timer at 1010, registered twice; 1015 registered and deleted
        harness.Process((2, 20)); // timer at 1020
        harness.Process((1, 10)); // same timer again
        harness.SetProcessingTime(1009);
        Assert.Empty(harness.Output.Values);
        harness.SetProcessingTime(1011);
        Assert.Equal(["key 1 timer 1010 at 1011"], harness.Output.Values);
        harness.SetProcessingTime(1016);
        Assert.Equal(["key 1 timer 1010 at 1011"], harness.Output.Values); // the deleted timer did not fire
        harness.SetProcessingTime(1100);
        Assert.Equal(["key 1 timer 1010 at 1011", "key 2 timer 1020 at 1100"], harness.Output.Values);
        Assert.Equal(0, harness.Clock.PendingTimers);
    }

    [Fact]
    public void EventTimeTimersFireWhenTheWatermarkReachesThemAndAtTheEndOfInput()
    {
        var function = new ManualClockTimers();
        var harness = new OperatorHarness<(int Key, long Delay), string>(new KeyedProcessOperator<int, (int Key, long Delay), string>(r => r.Key, function));
        harness.Process((3, -1)); // registers an event-time timer at 500
        harness.Watermark(499);
        Assert.Empty(harness.Output.Values);
        harness.Watermark(500);
        Assert.Equal(["key 3 event timer 500 at watermark 500"], harness.Output.Values);
        harness.Process((4, -1));
        harness.EndInput();
        Assert.Equal(["key 3 event timer 500 at watermark 500", "key 4 event timer 500 at watermark 9223372036854775807"], harness.Output.Values);
    }

    private readonly record struct Output(string Kind, int Key, long Time, long Watermark, long Timestamp);

    private sealed class EventTimeTimers : KeyedProcessFunction<int, Event, Output>
    {
        public override void ProcessElement(Event value, Context context, ICollector<Output> output)
        {
            var ts = context.Timestamp!.Value;
            context.TimerService.RegisterEventTimeTimer(ts + 3);
            context.TimerService.RegisterEventTimeTimer(ts + 3);
            context.TimerService.RegisterEventTimeTimer(ts + 7);
            context.TimerService.DeleteEventTimeTimer(ts + 7);
            if (ts % 20 == 0)
            {
                context.TimerService.RegisterEventTimeTimer(ts + 5);
                context.TimerService.DeleteEventTimeTimer(ts + 5);
                context.TimerService.RegisterEventTimeTimer(ts + 5);
            }

            output.Collect(new Output("element", value.Key, ts, context.TimerService.CurrentWatermark, ts));
        }

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<Output> output)
        {
            Assert.Equal(TimeDomain.EventTime, context.TimeDomain);
            output.Collect(new Output("timer", context.CurrentKey, timestamp, context.TimerService.CurrentWatermark, context.Timestamp ?? long.MinValue));
        }
    }

    private sealed class ProcessingTimeTimers(ConcurrentQueue<string> progress) : KeyedProcessFunction<int, int, Output>
    {
        private IValueState<bool> _seen = null!;

        public override void Open(IRuntimeContext context)
        {
            base.Open(context);
            _seen = context.GetState(new ValueStateDescriptor<bool>("seen"));
        }

        public override void ProcessElement(int value, Context context, ICollector<Output> output)
        {
            progress.Enqueue($"element {value}");
            if (_seen.Value)
            {
                return;
            }

            _seen.Update(true);
            var time = context.TimerService.CurrentProcessingTime + 30;
            context.TimerService.RegisterProcessingTimeTimer(time);
            context.TimerService.RegisterProcessingTimeTimer(time);
            context.TimerService.RegisterProcessingTimeTimer(time + 60);
            context.TimerService.DeleteProcessingTimeTimer(time + 60);
            output.Collect(new Output("registered", context.CurrentKey, time, 0, 0));
        }

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<Output> output)
        {
            Assert.Equal(TimeDomain.ProcessingTime, context.TimeDomain);
            progress.Enqueue($"timer {context.CurrentKey}");
            output.Collect(new Output("timer", context.CurrentKey, timestamp, context.TimerService.CurrentProcessingTime, context.Timestamp ?? long.MinValue));
        }
    }

    private sealed class ManualClockTimers : KeyedProcessFunction<int, (int Key, long Delay), string>
    {
        public override void ProcessElement((int Key, long Delay) value, Context context, ICollector<string> output)
        {
            if (value.Delay < 0)
            {
                context.TimerService.RegisterEventTimeTimer(500);
                return;
            }

            var now = context.TimerService.CurrentProcessingTime;
            context.TimerService.RegisterProcessingTimeTimer(now + value.Delay);
            context.TimerService.RegisterProcessingTimeTimer(now + value.Delay);
            if (value.Key == 1)
            {
                context.TimerService.RegisterProcessingTimeTimer(now + 15);
                context.TimerService.DeleteProcessingTimeTimer(now + 15);
            }
        }

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<string> output) =>
            output.Collect(context.TimeDomain == TimeDomain.ProcessingTime
                ? $"key {context.CurrentKey} timer {timestamp} at {context.TimerService.CurrentProcessingTime}"
                : $"key {context.CurrentKey} event timer {timestamp} at watermark {context.TimerService.CurrentWatermark}");
    }
}
