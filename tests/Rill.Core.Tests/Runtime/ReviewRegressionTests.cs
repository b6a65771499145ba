using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.TestSupport;
using Rill.Windowing;

namespace Rill.Tests.Runtime;

/// <summary>Failure modes found in review: each once hung a job, failed it wrongly or hid its cause.</summary>
public sealed class ReviewRegressionTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ABoundedJobEndsEvenWhenAProcessingTimeTimerReRegistersItself()
    {
        // The usual "every second" pattern: OnTimer registers the next timer. At the end of a bounded input the
        // pending timer fires once; the one it registers must not keep the job alive.
        var env = TestJobs.Env(1);
        var fired = await TestJobs.CollectAsync(env.FromCollection(Enumerable.Range(0, 10))
            .KeyBy(i => i % 2)
            .Process(new Heartbeat()));

        Assert.Equal(2, fired.Count(f => f.StartsWith("timer", StringComparison.Ordinal))); // one per key, at end of input
        Assert.Equal(10, fired.Count(f => f.StartsWith("record", StringComparison.Ordinal)));
    }

    private sealed class Heartbeat : KeyedProcessFunction<int, int, string>
    {
        private const long FarFuture = 4_000_000_000_000; // year 2096: never due while the job runs

        public override void ProcessElement(int value, Context context, ICollector<string> output)
        {
            context.TimerService.RegisterProcessingTimeTimer(FarFuture); // one timer per key
            output.Collect($"record {value}");
        }

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<string> output)
        {
            context.TimerService.RegisterProcessingTimeTimer(timestamp + 1000);
            output.Collect($"timer {context.CurrentKey}");
        }
    }

    [Fact]
    public async Task AnEnumeratorThatPushesSplitsWhenAReaderRegistersWorks()
    {
        // Kafka's enumerator assigns partitions as readers register, without waiting for split requests.
        var env = TestJobs.Env(2);
        var values = await TestJobs.CollectAsync(env.FromSource(new PushingSource(), WatermarkStrategy<long>.NoWatermarks(), "Push"));

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), values.Order());
    }

    private sealed class PushingSource : ISource<long, IndexRangeSplit>
    {
        public Boundedness Boundedness => Boundedness.Bounded;

        public ISplitEnumerator<IndexRangeSplit> CreateEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context) => new Enumerator(context);

        public ISourceReader<long, IndexRangeSplit> CreateReader(ISourceReaderContext context) => new Reader(context);

        private sealed class Enumerator(ISplitEnumeratorContext<IndexRangeSplit> context) : ISplitEnumerator<IndexRangeSplit>
        {
            public void Start()
            {
            }

            public void AddReader(int subtask)
            {
                context.AssignSplit(new IndexRangeSplit(subtask * 100, (subtask + 1) * 100), subtask);
                context.SignalNoMoreSplits(subtask);
            }

            public void HandleSplitRequest(int subtask)
            {
            }

            public void AddSplitsBack(IReadOnlyList<IndexRangeSplit> splits, int subtask)
            {
            }
        }

        private sealed class Reader(ISourceReaderContext context) : SplitReaderBase<long, IndexRangeSplit>(context)
        {
            private long _next;

            protected override void OpenSplit(IndexRangeSplit split) => _next = split.Start;

            protected override SplitStatus ReadFromSplit(IReaderOutput<long> output, int maxRecords)
            {
                output.Collect(_next++);
                return _next >= CurrentSplit!.End ? SplitStatus.Finished : SplitStatus.MoreAvailable;
            }
        }
    }

    [Fact]
    public async Task AnEnumeratorThatThrowsFailsTheJobInsteadOfHangingIt()
    {
        var env = TestJobs.Env(1);
        env.FromSource(new ThrowingSource(), WatermarkStrategy<long>.NoWatermarks(), "Broken Source").SinkTo(new DiscardingSink<long>());

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => TestJobs.RunAsync(env, timeout: Limit));

        Assert.Contains("Broken Source", error.Message, StringComparison.Ordinal);
        Assert.Contains("no partitions to read", error.Message, StringComparison.Ordinal);
    }

    private sealed class ThrowingSource : ISource<long, IndexRangeSplit>
    {
        public Boundedness Boundedness => Boundedness.Bounded;

        public ISplitEnumerator<IndexRangeSplit> CreateEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context) => new Enumerator();

        public ISourceReader<long, IndexRangeSplit> CreateReader(ISourceReaderContext context) => new PushingSource().CreateReader(context);

        private sealed class Enumerator : ISplitEnumerator<IndexRangeSplit>
        {
            public void Start()
            {
            }

            public void AddReader(int subtask)
            {
            }

            public void HandleSplitRequest(int subtask) => throw new InvalidOperationException("no partitions to read");

            public void AddSplitsBack(IReadOnlyList<IndexRangeSplit> splits, int subtask)
            {
            }
        }
    }

    [Fact]
    public async Task AFailureWhileClosingDoesNotHideTheFailureThatCausedIt()
    {
        var cause = new IOException("database unreachable");
        var env = TestJobs.Env(1);
        env.FromCollection(Enumerable.Range(0, 10))
            .Map(new FragileMap()).Name("Enrich")
            .SinkTo(new FailingOpenSink(cause), "Store");

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => TestJobs.RunAsync(env, timeout: Limit));

        Assert.Same(cause, error.InnerException);
        Assert.Contains("Store", error.Message, StringComparison.Ordinal);
    }

    private sealed class FragileMap : IMapFunction<int, int>, IRichFunction
    {
        private object? _connection;

        public void Open(IRuntimeContext context) => _connection = new object();

        public int Map(int value) => value;

        // Like real code that assumes Open ran: the chain opens from the sink up, so the failing sink means it never did.
        public void Close() => _ = _connection!.ToString();
    }

    private sealed class FailingOpenSink(Exception cause) : ISink<int>
    {
        public ISinkWriter<int> CreateWriter(SinkWriterContext context) => throw cause;
    }

    [Fact]
    public async Task AWindowFunctionThatThrowsIsNamedInTheFailure()
    {
        // The window fires on the final watermark, i.e. on the watermark path rather than while processing a record.
        var boom = new ArithmeticException("division by zero in the report");
        var env = TestJobs.Env(1);
        env.FromCollection(Enumerable.Range(0, 10))
            .AssignTimestampsAndWatermarks(WatermarkStrategy<int>.ForMonotonousTimestamps().WithTimestampAssigner(i => i))
            .KeyBy(i => 0)
            .Window(TumblingEventTimeWindows.Of<int>(TimeSpan.FromSeconds(1)))
            .Aggregate(new CountAggregate<int>(), (int key, TimeWindow window, long count) => count > 0 ? throw boom : count)
            .Name("Report")
            .SinkTo(new DiscardingSink<long>());

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => TestJobs.RunAsync(env, timeout: Limit));

        Assert.Same(boom, error.InnerException);
        Assert.Contains("Report", error.Message, StringComparison.Ordinal);
    }
}
