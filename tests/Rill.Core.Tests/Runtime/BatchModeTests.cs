using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Runtime;

public sealed class BatchModeTests
{
    [Fact]
    public void AutomaticResolvesToBatchWhenEverySourceIsBounded()
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(2);
        Assert.Equal(RuntimeExecutionMode.Automatic, env.Options.RuntimeMode);
        env.FromCollection([1, 2, 3]).Union(env.FromSequence(0, 10).Map(x => (int)x)).SinkTo(new CollectSink<int>());
        var job = env.GetJobGraph();
        Assert.Equal(RuntimeExecutionMode.Batch, job.RuntimeMode);
        Assert.Equal(RuntimeExecutionMode.Batch, job.Options.RuntimeMode);
    }

    [Fact]
    public void AutomaticResolvesToStreamingWithAnUnboundedSource()
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(2);
        var unbounded = env.FromSource(new DataGeneratorSource<long>(i => i, count: null), WatermarkStrategy<long>.NoWatermarks(), "Endless");
        env.FromSequence(0, 10).Union(unbounded).SinkTo(new CollectSink<long>());
        Assert.Equal(RuntimeExecutionMode.Streaming, env.GetJobGraph().RuntimeMode);
    }

    [Fact]
    public async Task ExplicitBatchWithAnUnboundedSourceIsRefusedWithAClearMessage()
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(1).SetRuntimeMode(RuntimeExecutionMode.Batch);
        env.FromSource(new DataGeneratorSource<long>(i => i, count: null), WatermarkStrategy<long>.NoWatermarks(), "Endless").SinkTo(new CollectSink<long>());

        var fromGraph = Assert.Throws<InvalidOperationException>(() => env.GetJobGraph());
        Assert.Contains("BATCH", fromGraph.Message, StringComparison.Ordinal);
        Assert.Contains("unbounded", fromGraph.Message, StringComparison.OrdinalIgnoreCase);
        // Executing is refused the same way, before anything runs (a hang here would mean the job started).
        var fromExecute = await Assert.ThrowsAsync<InvalidOperationException>(() => env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(fromGraph.Message, fromExecute.Message);
    }

    [Theory]
    [InlineData(RuntimeExecutionMode.Batch)]
    [InlineData(RuntimeExecutionMode.Automatic)]
    public async Task BatchJobOnBoundedInputFinishesWithFinalResults(RuntimeExecutionMode mode)
    {
        var env = TestJobs.Env(3, mode);
        var words = Enumerable.Range(0, 5000).Select(i => $"w{(i * 31) % 97}").ToArray();
        var counts = new CollectSink<(string Word, long Count)>();
        var endOfInputTimers = new CollectSink<(string Word, long Watermark)>();
        var keyed = env.FromCollection(words).Map(w => (Word: w, Count: 1L)).KeyBy(t => t.Word);
        keyed.Reduce((a, b) => (a.Word, a.Count + b.Count)).SinkTo(counts);
        keyed.Process(new TimerAtEnd()).SinkTo(endOfInputTimers);

        var result = await TestJobs.RunAsync(env);

        Assert.True(result.NetRuntime > TimeSpan.Zero);
        var expected = words.GroupBy(w => w).Select(g => (g.Key, (long)g.Count())).OrderBy(t => t.Key, StringComparer.Ordinal);
        Assert.Equal(expected, counts.Values.OrderBy(t => t.Word, StringComparer.Ordinal)); // one final value per key, no rolling updates
        // No watermarks while a BATCH job runs: event-time timers fire only with the final watermark.
        Assert.Equal(words.Distinct().Order(StringComparer.Ordinal), endOfInputTimers.Values.Select(t => t.Word).Order(StringComparer.Ordinal));
        Assert.All(endOfInputTimers.Values, t => Assert.Equal(long.MaxValue, t.Watermark));
    }

    [Fact]
    public async Task BatchModeSuppressesWatermarksWhileRunning()
    {
        var env = TestJobs.Env(1, RuntimeExecutionMode.Batch);
        var source = env.FromSource(new CollectionSource<long>(Enumerable.Range(0, 1000).Select(i => (long)i).ToArray()),
            TestJobs.Punctuated<long>(v => v), "Timestamped");
        var seen = await TestJobs.CollectAsync(source.Rebalance().Process(new WatermarkProbe()));
        Assert.Equal(1000, seen.Count);
        Assert.All(seen, wm => Assert.Equal(long.MinValue, wm));
    }

    private sealed class TimerAtEnd : KeyedProcessFunction<string, (string Word, long Count), (string Word, long Watermark)>
    {
        public override void ProcessElement((string Word, long Count) value, Context context, ICollector<(string Word, long Watermark)> output) =>
            context.TimerService.RegisterEventTimeTimer(0);

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<(string Word, long Watermark)> output) =>
            output.Collect((context.CurrentKey, context.TimerService.CurrentWatermark));
    }

    private sealed class WatermarkProbe : ProcessFunction<long, long>
    {
        public override void ProcessElement(long value, Context context, ICollector<long> output) => output.Collect(context.CurrentWatermark);
    }
}
