using Rill.Api;
using Rill.Tests.TestSupport;
using Rill.Windowing;

namespace Rill.Tests.Windowing;

/// <summary>Invalid window definitions are refused where the program is written, as Flink's assigners do.</summary>
public sealed class WindowApiValidationTests
{
    [Fact]
    public void AssignersRejectInvalidSizes()
    {
        Assert.Throws<ArgumentException>(() => TumblingEventTimeWindows.Of<int>(TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => TumblingEventTimeWindows.Of<int>(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => SlidingEventTimeWindows.Of<int>(TimeSpan.FromSeconds(1), TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => SlidingProcessingTimeWindows.Of<int>(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => EventTimeSessionWindows.WithGap<int>(TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => ProcessingTimeSessionWindows.WithGap<int>(TimeSpan.FromMilliseconds(-1)));
    }

    [Fact]
    public void AllowedLatenessIsForEventTimeAndNonNegative()
    {
        var keyed = TestJobs.Env(1).FromElements(1, 2, 3).KeyBy(x => x);
        Assert.Throws<ArgumentOutOfRangeException>(() => keyed.Window(TumblingEventTimeWindows.Of<int>(TimeSpan.FromSeconds(1))).AllowedLateness(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentException>(() => keyed.Window(TumblingProcessingTimeWindows.Of<int>(TimeSpan.FromSeconds(1))).AllowedLateness(TimeSpan.FromSeconds(1)));
        keyed.Window(TumblingProcessingTimeWindows.Of<int>(TimeSpan.FromSeconds(1))).AllowedLateness(TimeSpan.Zero); // zero is always fine
    }

    [Fact]
    public void SessionWindowsNeedAMergingTrigger()
    {
        var keyed = TestJobs.Env(1).FromElements(1, 2, 3).KeyBy(x => x);
        var error = Assert.Throws<ArgumentException>(() =>
            keyed.Window(EventTimeSessionWindows.WithGap<int>(TimeSpan.FromSeconds(1))).Trigger(new NonMerging()).Reduce((a, b) => a + b));
        Assert.Contains("merging", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task EventTimeWindowsWithoutTimestampsFailTheJobClearly()
    {
        var env = TestJobs.Env(1);
        env.FromElements(1, 2, 3).KeyBy(x => x).Window(TumblingEventTimeWindows.Of<int>(TimeSpan.FromSeconds(1))).Reduce((a, b) => a + b)
            .SinkTo(new Rill.Sinks.CollectSink<int>());
        var error = await Assert.ThrowsAsync<JobExecutionException>(() => TestJobs.RunAsync(env));
        Assert.Contains("timestamp", error.InnerException!.Message, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class NonMerging : Trigger<int, TimeWindow>
    {
        public override TriggerResult OnElement(int element, long timestamp, TimeWindow window, ITriggerContext context) => TriggerResult.Continue;

        public override TriggerResult OnEventTime(long time, TimeWindow window, ITriggerContext context) => TriggerResult.Fire;

        public override TriggerResult OnProcessingTime(long time, TimeWindow window, ITriggerContext context) => TriggerResult.Continue;

        public override void Clear(TimeWindow window, ITriggerContext context)
        {
        }
    }
}
