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

        public ISplitEnumerator<IndexRangeSplit> RestoreEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context, IReadOnlyList<IndexRangeSplit> unassignedSplits) =>
            throw new NotSupportedException("This test source runs without checkpoints.");

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

            public IReadOnlyList<IndexRangeSplit> SnapshotState(long checkpointId) => [];
        }

        private sealed class Reader(ISourceReaderContext context) : SplitReaderBase<long, IndexRangeSplit>(context)
        {
            private long _next;

            protected override void OpenSplit(IndexRangeSplit split) => _next = split.Start;

            protected override IndexRangeSplit CurrentSplitWithProgress() => CurrentSplit! with { Start = _next };

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

        public ISplitEnumerator<IndexRangeSplit> RestoreEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context, IReadOnlyList<IndexRangeSplit> unassignedSplits) =>
            throw new NotSupportedException("This test source runs without checkpoints.");

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

            public IReadOnlyList<IndexRangeSplit> SnapshotState(long checkpointId) => [];

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

/// <summary>A task stuck in user code cannot keep a failed job from ending: it is given up on after the cancellation timeout.</summary>
public sealed class CancellationTimeoutTests
{
    [Fact]
    public async Task AJobFailsEvenWhenAnotherTaskIgnoresCancellation()
    {
        using var stuck = new ManualResetEventSlim(false);
        var boom = new InvalidOperationException("bad record");
        var env = TestJobs.Env(2);
        var numbers = env.FromCollection(Enumerable.Range(0, 100));
        // Subtask 0 blocks in user code (think: a call without a timeout); subtask 1 then fails.
        numbers.Rebalance()
            .Map(new BlockOrFail(stuck, boom)).Name("Lookup")
            .SinkTo(new DiscardingSink<int>());

        await using var cluster = new Rill.Runtime.MiniCluster.MiniCluster(new Rill.Runtime.MiniCluster.MiniClusterConfiguration
        {
            SlotsPerTaskManager = 2,
            TaskCancellationTimeout = TimeSpan.FromSeconds(1),
        });
        await cluster.StartAsync();
        try
        {
            var error = await Assert.ThrowsAsync<JobExecutionException>(() => cluster.ExecuteAsync(env.GetJobGraph()).WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Same(boom, error.InnerException);
        }
        finally
        {
            stuck.Set(); // let the abandoned thread end
        }
    }

    private sealed class BlockOrFail(ManualResetEventSlim stuck, Exception boom) : IMapFunction<int, int>, IRichFunction
    {
        private int _subtask;

        public void Open(IRuntimeContext context) => _subtask = context.IndexOfThisSubtask;

        public void Close()
        {
        }

        public int Map(int value)
        {
            if (_subtask == 0)
            {
                stuck.Wait(); // ignores cancellation on purpose
                return value;
            }

            Thread.Sleep(200); // give subtask 0 time to block first
            throw boom;
        }
    }
}

/// <summary>After KeyBy, plain functions (Map, Filter, FlatMap, Process) get keyed state, as in Flink.</summary>
public sealed class KeyedStateInPlainFunctionsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task AMapAfterKeyByKeepsARunningCountPerKey(int parallelism)
    {
        var words = Enumerable.Range(0, 300).Select(i => $"w{i % 7}").ToArray();
        var env = TestJobs.Env(parallelism);
        var counted = await TestJobs.CollectAsync(env.FromCollection(words)
            .KeyBy(w => w)
            .Map(new RunningCount()));

        // Each key's counts are exactly 1..n: state was per key, and every record of a key saw the same state.
        foreach (var group in counted.GroupBy(c => c.Word))
        {
            Assert.Equal(Enumerable.Range(1, words.Count(w => w == group.Key)), group.Select(c => c.Count).Order());
        }
    }

    [Fact]
    public async Task KeyedStateOnAPlainStreamIsRefusedWithAClearMessage()
    {
        var env = TestJobs.Env(1);
        env.FromCollection(["a", "b"]).Map(new RunningCount()).Name("Count").SinkTo(new DiscardingSink<(string, int)>());

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => TestJobs.RunAsync(env));

        Assert.Contains("KeyBy", error.InnerException!.Message, StringComparison.Ordinal);
    }

    private sealed class RunningCount : IMapFunction<string, (string Word, int Count)>, IRichFunction
    {
        private Rill.State.IValueState<int> _count = null!;

        public void Open(IRuntimeContext context) => _count = context.GetState(new Rill.State.ValueStateDescriptor<int>("count"));

        public void Close()
        {
        }

        public (string Word, int Count) Map(string value)
        {
            _count.Update(_count.Value + 1);
            return (value, _count.Value);
        }
    }
}
