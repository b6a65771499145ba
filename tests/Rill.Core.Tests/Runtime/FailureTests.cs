using System.Diagnostics;
using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Runtime;

/// <summary>A user function that throws fails the job with the user's own exception and the operator's name, and never hangs.</summary>
public sealed class FailureTests
{
    private static readonly TimeSpan FailFast = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ThrowingMapFailsTheJobWithTheUsersExceptionAndTheOperatorName()
    {
        var boom = new FormatException("cannot parse record 'x42'");
        var env = TestJobs.Env(1);
        env.FromCollection(Enumerable.Range(0, 100))
            .Map(i => i == 42 ? throw boom : i).Name("Parse")
            .SinkTo(new CollectSink<int>());

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => ExecuteAsync(env));

        Assert.Same(boom, error.InnerException);
        Assert.Contains("Parse", error.Message, StringComparison.Ordinal);
        Assert.Contains(boom.Message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheFailureNamesTheFailingOperatorNotJustItsTask()
    {
        // "Parse" runs in a task of its own (after a rebalance), so only a correct attribution puts its name in the message.
        var boom = new InvalidDataException("bad input");
        var env = TestJobs.Env(2);
        env.FromCollection(Enumerable.Range(0, 1000)).Name("Read")
            .Rebalance()
            .Map(i => i == 777 ? throw boom : i).Name("Parse")
            .SinkTo(new CollectSink<int>(), "Store");

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => ExecuteAsync(env));

        Assert.Same(boom, error.InnerException);
        Assert.Contains("Parse", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailureAtParallelismFourCancelsTheOtherTasksPromptly()
    {
        // Four sources would run for a long time (rate limited); the keyed downstream waits on all of them.
        var boom = new ArgumentException("record 1234 is invalid");
        var env = TestJobs.Env(4);
        env.FromSource(new DataGeneratorSource<long>(i => i, 40_000, recordsPerSecond: 4_000), WatermarkStrategy<long>.NoWatermarks(), "Paced")
            .Map(i => i == 1234 ? throw boom : i).Name("Parse")
            .KeyBy(i => i % 10)
            .Reduce((a, b) => a + b)
            .SinkTo(new CollectSink<long>());

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<JobExecutionException>(() => ExecuteAsync(env));

        Assert.Same(boom, error.InnerException);
        Assert.Contains("Parse", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}: the other tasks were not canceled"); // the input alone would take 10 s
    }

    [Fact]
    public async Task FailureInAKeyedDownstreamOperatorCancelsTheUpstream()
    {
        var boom = new InvalidOperationException("state exploded");
        var env = TestJobs.Env(4);
        env.FromSource(new DataGeneratorSource<long>(i => i, 1_000_000, recordsPerSecond: 50_000), WatermarkStrategy<long>.NoWatermarks(), "Paced")
            .KeyBy(i => i % 7)
            .Process(new ThrowAfter(500, boom)).Name("Accumulate")
            .SinkTo(new CollectSink<long>());

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => ExecuteAsync(env));

        Assert.Same(boom, error.InnerException);
        Assert.Contains("Accumulate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailureInOpenIsReportedWithTheOperatorName()
    {
        var env = TestJobs.Env(2);
        env.FromCollection(Enumerable.Range(0, 10)).Map(new FailingOpen()).Name("Connect").SinkTo(new CollectSink<int>());

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => ExecuteAsync(env));

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Equal("database unreachable", error.InnerException!.Message);
        Assert.Contains("Connect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailureInAnEventTimeTimerIsReportedWithTheUsersException()
    {
        var boom = new InvalidOperationException("timer failed");
        var env = TestJobs.Env(2);
        env.FromSource(new CollectionSource<long>(Enumerable.Range(0, 100).Select(i => (long)i).ToArray()), TestJobs.Punctuated<long>(v => v), "Events")
            .KeyBy(v => v % 3)
            .Process(new ThrowInTimer(boom)).Name("Alarm")
            .SinkTo(new CollectSink<long>());

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => ExecuteAsync(env));

        Assert.Same(boom, error.InnerException);
        Assert.Contains("Alarm", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailureInASinkIsReportedWithTheSinkName()
    {
        var boom = new IOException("disk full");
        var env = TestJobs.Env(2);
        env.FromCollection(Enumerable.Range(0, 100)).Rebalance().SinkTo(new FailingSink(boom), "Archive");

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => ExecuteAsync(env));

        Assert.Same(boom, error.InnerException);
        Assert.Contains("Archive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailureInsideASourceIsReportedWithTheSourceName()
    {
        var boom = new InvalidOperationException("generator broke");
        var env = TestJobs.Env(2);
        env.FromSource(new DataGeneratorSource<long>(i => i == 500 ? throw boom : i, 1000), WatermarkStrategy<long>.NoWatermarks(), "Telemetry Feed")
            .SinkTo(new CollectSink<long>());

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => ExecuteAsync(env));

        Assert.Same(boom, error.InnerException);
        Assert.Contains("Telemetry Feed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperatorsAreClosedWhenTheJobFails()
    {
        var closed = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var env = TestJobs.Env(3);
        env.FromCollection(Enumerable.Range(0, 300))
            .Map(new ClosingMap(closed)).Name("Holds Resources")
            .Map(i => i == 150 ? throw new InvalidOperationException("boom") : i).Name("Parse")
            .SinkTo(new CollectSink<int>());

        await Assert.ThrowsAsync<JobExecutionException>(() => ExecuteAsync(env));

        // Every subtask closed its function, the failed one and the canceled ones alike (Flink calls close on failure too).
        Assert.Equal([0, 1, 2], closed.Order());
    }

    private static Task<JobExecutionResult> ExecuteAsync(StreamExecutionEnvironment env) =>
        env.ExecuteAsync("Failing Job").WaitAsync(FailFast); // a hang fails the test with a TimeoutException

    private sealed class ThrowAfter(int count, Exception error) : KeyedProcessFunction<long, long, long>
    {
        private int _seen;

        public override void ProcessElement(long value, Context context, ICollector<long> output)
        {
            if (++_seen == count)
            {
                throw error;
            }

            output.Collect(value);
        }
    }

    private sealed class ThrowInTimer(Exception error) : KeyedProcessFunction<long, long, long>
    {
        public override void ProcessElement(long value, Context context, ICollector<long> output) =>
            context.TimerService.RegisterEventTimeTimer(context.Timestamp!.Value + 10);

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<long> output)
        {
            if (timestamp == 50)
            {
                throw error;
            }
        }
    }

    private sealed class ClosingMap(System.Collections.Concurrent.ConcurrentQueue<int> closed) : IMapFunction<int, int>, IRichFunction
    {
        private int _subtask;

        public void Open(IRuntimeContext context) => _subtask = context.IndexOfThisSubtask;

        public int Map(int value) => value;

        public void Close() => closed.Enqueue(_subtask);
    }

    private sealed class FailingOpen : IMapFunction<int, int>, IRichFunction
    {
        public void Open(IRuntimeContext context) => throw new TimeoutException("database unreachable");

        public int Map(int value) => value;

        public void Close()
        {
        }
    }

    private sealed class FailingSink(Exception error) : ISink<int>
    {
        public ISinkWriter<int> CreateWriter(SinkWriterContext context) => new Writer(error);

        private sealed class Writer(Exception error) : ISinkWriter<int>
        {
            public void Write(int value, long? timestamp)
            {
                if (value == 50)
                {
                    throw error;
                }
            }

            public void Flush(bool endOfInput)
            {
            }

            public void Dispose()
            {
            }
        }
    }
}
