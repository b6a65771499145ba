using System.Collections.Concurrent;
using Rill.Api;
using Rill.Functions;
using Rill.Sinks;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Api;

public sealed class TransformationTests
{
    private static readonly int[] Input = Enumerable.Range(-50, 500).Select(i => (i * 7919) % 1000).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task MapAppliesTheFunctionToEveryRecord(int parallelism)
    {
        var env = TestJobs.Env(parallelism);
        var result = await TestJobs.CollectAsync(env.FromCollection(Input).Map(x => (x * 3L) + 1));
        Assert.Equal(Input.Select(x => (x * 3L) + 1).Order(), result.Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task FilterKeepsExactlyTheMatchingRecords(int parallelism)
    {
        var env = TestJobs.Env(parallelism);
        var result = await TestJobs.CollectAsync(env.FromCollection(Input).Filter(x => x % 3 == 0));
        Assert.Equal(Input.Where(x => x % 3 == 0).Order(), result.Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task FlatMapWithCollectorEmitsZeroOrMoreRecordsPerInput(int parallelism)
    {
        var env = TestJobs.Env(parallelism);
        var result = await TestJobs.CollectAsync(env.FromCollection(Input).FlatMap<string>((x, output) =>
        {
            for (var i = 0; i < Math.Abs(x) % 3; i++)
            {
                output.Collect($"{x}/{i}");
            }
        }));
        var expected = Input.SelectMany(x => Enumerable.Range(0, Math.Abs(x) % 3).Select(i => $"{x}/{i}"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), result.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task FlatMapWithEnumerableEmitsEveryItem(int parallelism)
    {
        var env = TestJobs.Env(parallelism);
        var result = await TestJobs.CollectAsync(env.FromCollection(Input).FlatMap(x => Enumerable.Repeat(x, Math.Abs(x) % 4)));
        Assert.Equal(Input.SelectMany(x => Enumerable.Repeat(x, Math.Abs(x) % 4)).Order(), result.Order());
    }

    [Fact]
    public async Task FlatMapFunctionObjectEmitsThroughTheCollector()
    {
        var env = TestJobs.Env(2);
        var result = await TestJobs.CollectAsync(env.FromCollection(Input).FlatMap(new SplitDigits()));
        Assert.Equal(Input.SelectMany(x => Math.Abs(x).ToString().Select(c => c - '0')).Order(), result.Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task ProcessRoutesRecordsToMainAndSideOutputs(int parallelism)
    {
        var env = TestJobs.Env(parallelism);
        var oddTag = new OutputTag<int>("odd");
        var negativeTag = new OutputTag<string>("negative");
        var main = new CollectSink<string>();
        var odd = new CollectSink<int>();
        var negative = new CollectSink<string>();
        var processed = env.FromCollection(Input).Process(new Splitter(oddTag, negativeTag));
        processed.SinkTo(main);
        processed.GetSideOutput(oddTag).SinkTo(odd); // chained side-output edge
        processed.GetSideOutput(negativeTag).Rebalance().Map(s => s.ToUpperInvariant()).SetParallelism(3).SinkTo(negative); // network side-output edge

        await TestJobs.RunAsync(env);

        Assert.Equal(Input.Where(x => x % 2 == 0).Select(x => $"even {x}").Order(StringComparer.Ordinal), main.Values.Order(StringComparer.Ordinal));
        Assert.Equal(Input.Where(x => x % 2 != 0).Order(), odd.Values.Order());
        Assert.Equal(Input.Where(x => x < 0).Select(x => $"NEGATIVE {x}").Order(StringComparer.Ordinal), negative.Values.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task KeyedProcessFunctionEmitsSideOutputsFromElementsAndTimers(int parallelism)
    {
        var env = TestJobs.Env(parallelism);
        var largeTag = new OutputTag<(int Key, int Value)>("large");
        var summaryTag = new OutputTag<string>("summary");
        var main = new CollectSink<int>();
        var large = new CollectSink<(int Key, int Value)>();
        var summaries = new CollectSink<string>();
        var processed = env.FromCollection(Input).KeyBy(x => Math.Abs(x) % 5).Process(new KeyedSplitter(largeTag, summaryTag));
        processed.SinkTo(main);
        processed.GetSideOutput(largeTag).SinkTo(large);
        processed.GetSideOutput(summaryTag).Rebalance().SinkTo(summaries);

        await TestJobs.RunAsync(env);

        Assert.Equal(Input.Where(x => x < 900).Order(), main.Values.Order());
        Assert.Equal(Input.Where(x => x >= 900).Select(x => (Math.Abs(x) % 5, x)).Order(), large.Values.Order());
        Assert.Equal(Input.GroupBy(x => Math.Abs(x) % 5).Select(g => $"key {g.Key}: {g.Count()}").Order(StringComparer.Ordinal),
            summaries.Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CustomOperatorsRunThroughTransform()
    {
        var env = TestJobs.Env(3);
        var result = await TestJobs.CollectAsync(env.FromCollection(Input).Transform<string>("Describe", () => new DescribeOperator()));
        Assert.Equal(Input.Select(x => $"#{x}").Order(StringComparer.Ordinal), result.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task KeyedReduceIsRollingInStreamingMode(int parallelism)
    {
        var env = TestJobs.Env(parallelism, RuntimeExecutionMode.Streaming);
        var data = Input.Select((v, i) => (Key: i % 7, Value: (long)v)).ToArray();
        // One source subtask, so each key's records reach their reducer in input order.
        var result = await TestJobs.CollectAsync(env.FromCollection(data).SetParallelism(1)
            .KeyBy(t => t.Key)
            .Reduce((a, b) => (a.Key, a.Value + b.Value)));

        Assert.Equal(data.Length, result.Count);
        foreach (var group in data.GroupBy(t => t.Key))
        {
            var running = 0L;
            var expected = group.Select(t => running += t.Value).ToList();
            Assert.Equal(expected, result.Where(r => r.Key == group.Key).Select(r => r.Value).ToList());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task KeyedReduceEmitsOnlyTheFinalValuePerKeyInBatchMode(int parallelism)
    {
        var env = TestJobs.Env(parallelism, RuntimeExecutionMode.Batch);
        var data = Input.Select((v, i) => (Key: i % 7, Value: (long)v)).ToArray();
        var result = await TestJobs.CollectAsync(env.FromCollection(data).KeyBy(t => t.Key).Reduce(new SumReducer()));

        var expected = data.GroupBy(t => t.Key).Select(g => (g.Key, g.Sum(t => t.Value))).OrderBy(t => t.Key);
        Assert.Equal(expected, result.OrderBy(t => t.Key));
    }

    [Theory]
    [InlineData(1, RuntimeExecutionMode.Batch)]
    [InlineData(4, RuntimeExecutionMode.Batch)]
    [InlineData(4, RuntimeExecutionMode.Streaming)]
    public async Task KeyedAggregateComputesAveragesPerKey(int parallelism, RuntimeExecutionMode mode)
    {
        var env = TestJobs.Env(parallelism, mode);
        var data = Input.Select((v, i) => (Key: i % 5, Value: v)).ToArray();
        var result = await TestJobs.CollectAsync(env.FromCollection(data).SetParallelism(1).KeyBy(t => t.Key).Aggregate(new AverageAggregate()));

        var finalAverages = data.GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Average(t => (double)t.Value));
        if (mode == RuntimeExecutionMode.Batch)
        {
            Assert.Equal(finalAverages.Count, result.Count);
            foreach (var (key, average) in result)
            {
                Assert.Equal(finalAverages[key], average, 9);
            }
        }
        else
        {
            Assert.Equal(data.Length, result.Count);
            foreach (var group in data.GroupBy(t => t.Key))
            {
                var values = group.Select(t => (double)t.Value).ToList();
                var expected = values.Select((_, i) => values.Take(i + 1).Average()).ToList();
                var actual = result.Where(r => r.Key == group.Key).Select(r => r.Average).ToList();
                Assert.Equal(expected.Count, actual.Count);
                for (var i = 0; i < expected.Count; i++)
                {
                    Assert.Equal(expected[i], actual[i], 9);
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task UnionMergesAllInputs(int parallelism)
    {
        var env = TestJobs.Env(parallelism);
        var a = env.FromCollection(Enumerable.Range(0, 300));
        var b = env.FromCollection(Enumerable.Range(1000, 200)).SetParallelism(1);
        var c = env.FromCollection(Enumerable.Range(5000, 50)).Map(x => x * 2);
        var result = await TestJobs.CollectAsync(a.Union(b, c));
        var expected = Enumerable.Range(0, 300).Concat(Enumerable.Range(1000, 200)).Concat(Enumerable.Range(5000, 50).Select(x => x * 2));
        Assert.Equal(expected.Order(), result.Order());
    }

    [Fact]
    public async Task UnionOfAStreamWithItselfDeliversEachRecordTwice()
    {
        var env = TestJobs.Env(2);
        var source = env.FromCollection(Enumerable.Range(0, 100));
        var result = await TestJobs.CollectAsync(source.Union(source).Map(x => x + 1));
        Assert.Equal(Enumerable.Range(1, 100).SelectMany(x => new[] { x, x }), result.Order());
    }

    [Fact]
    public async Task RebalanceSpreadsRecordsRoundRobinOverAllSubtasks()
    {
        var env = TestJobs.Env(4);
        var result = await TestJobs.CollectAsync(env.FromCollection(Enumerable.Range(0, 100)).SetParallelism(1).Rebalance().Map(new SubtaskTagger<int>()));

        Assert.Equal(Enumerable.Range(0, 100), result.Select(r => r.Value).Order());
        Assert.Equal([0, 1, 2, 3], result.Select(r => r.Subtask).Distinct().Order());
        Assert.All(result.GroupBy(r => r.Subtask), g => Assert.Equal(25, g.Count()));
    }

    [Fact]
    public async Task BroadcastDeliversEveryRecordToEverySubtask()
    {
        var env = TestJobs.Env(4);
        var result = await TestJobs.CollectAsync(env.FromCollection(Enumerable.Range(0, 100)).SetParallelism(1).Broadcast().Map(new SubtaskTagger<int>()));

        Assert.Equal(400, result.Count);
        for (var subtask = 0; subtask < 4; subtask++)
        {
            Assert.Equal(Enumerable.Range(0, 100), result.Where(r => r.Subtask == subtask).Select(r => r.Value).Order());
        }
    }

    [Fact]
    public async Task GlobalSendsEverythingToTheFirstSubtask()
    {
        var env = TestJobs.Env(4);
        var result = await TestJobs.CollectAsync(env.FromCollection(Enumerable.Range(0, 100)).Global().Map(new SubtaskTagger<int>()));

        Assert.Equal(Enumerable.Range(0, 100), result.Select(r => r.Value).Order());
        Assert.All(result, r => Assert.Equal(0, r.Subtask));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task FunctionObjectsAreCopiedPerSubtaskAndOpenedOnce(int parallelism)
    {
        var env = TestJobs.Env(parallelism);
        var log = new ConcurrentQueue<(object Instance, int Subtask, string Event, long Value)>();
        var original = new LifecycleMapper(log);
        var result = await TestJobs.CollectAsync(env.FromCollection(Input).Map(original).Filter(new LifecycleFilter(log)));

        Assert.Equal(Input.Order(), result.Order());
        var opens = log.Where(e => e.Event == "map-open").ToList();
        var closes = log.Where(e => e.Event == "map-close").ToList();
        Assert.Equal(parallelism, opens.Count);
        Assert.Equal(Enumerable.Range(0, parallelism), opens.Select(e => e.Subtask).Order());
        Assert.All(opens, e => Assert.Equal(1, e.Value)); // Open called once on each copy
        Assert.Equal(parallelism, opens.Select(e => e.Instance).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.DoesNotContain(opens, e => ReferenceEquals(e.Instance, original));
        Assert.Equal(0, original.OpenCalls);
        Assert.Equal(opens.Select(e => e.Instance).ToHashSet(ReferenceEqualityComparer.Instance),
            closes.Select(e => e.Instance).ToHashSet(ReferenceEqualityComparer.Instance));
        // Each copy counts only its own records: with shared fields the per-copy counts would not add up to the input size.
        Assert.Equal(Input.Length, closes.Sum(e => e.Value));
        Assert.Equal(parallelism, log.Count(e => e.Event == "filter-open"));
    }

    [Fact]
    public async Task SinkObjectsAreCopiedPerSubtask()
    {
        var env = TestJobs.Env(3);
        var log = new ConcurrentQueue<(object Sink, int Subtask)>();
        var original = new InstanceLoggingSink(log);
        env.FromCollection(Input).SinkTo(original);
        await TestJobs.RunAsync(env);

        Assert.Equal([0, 1, 2], log.Select(e => e.Subtask).Order());
        Assert.Equal(3, log.Select(e => e.Sink).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.DoesNotContain(log, e => ReferenceEquals(e.Sink, original));
    }

    [Fact]
    public async Task CountersAreSummedOverSubtasksIntoTheJobResult()
    {
        var env = TestJobs.Env(4);
        env.FromCollection(Input).Map(new CountingMapper()).SinkTo(new CollectSink<int>());
        var result = await TestJobs.RunAsync(env);
        Assert.Equal(Input.Length, result.GetAccumulatorResult("mapped"));
        Assert.Equal(Input.Count(x => x < 0), result.GetAccumulatorResult("negative"));
        Assert.Equal(0, result.GetAccumulatorResult("never-created"));
    }

    private sealed class SplitDigits : IFlatMapFunction<int, int>
    {
        public void FlatMap(int value, ICollector<int> output)
        {
            foreach (var c in Math.Abs(value).ToString())
            {
                output.Collect(c - '0');
            }
        }
    }

    private sealed class Splitter(OutputTag<int> oddTag, OutputTag<string> negativeTag) : ProcessFunction<int, string>
    {
        public override void ProcessElement(int value, Context context, ICollector<string> output)
        {
            if (value % 2 == 0)
            {
                output.Collect($"even {value}");
            }
            else
            {
                context.Output(oddTag, value);
            }

            if (value < 0)
            {
                context.Output(negativeTag, $"negative {value}");
            }
        }
    }

    private sealed class KeyedSplitter(OutputTag<(int Key, int Value)> largeTag, OutputTag<string> summaryTag) : KeyedProcessFunction<int, int, int>
    {
        private Rill.State.IValueState<int> _count = null!;

        public override void Open(IRuntimeContext context)
        {
            base.Open(context);
            _count = context.GetState(new Rill.State.ValueStateDescriptor<int>("count"));
        }

        public override void ProcessElement(int value, Context context, ICollector<int> output)
        {
            _count.Update(_count.Value + 1);
            context.TimerService.RegisterEventTimeTimer(0); // fires with the final watermark
            if (value >= 900)
            {
                context.Output(largeTag, (context.CurrentKey, value));
            }
            else
            {
                output.Collect(value);
            }
        }

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<int> output) =>
            context.Output(summaryTag, $"key {context.CurrentKey}: {_count.Value}");
    }

    private sealed class DescribeOperator : Rill.Operators.OneInputStreamOperator<int, string>
    {
        public override void ProcessElement(int value, long timestamp) => Output.Collect($"#{value}", timestamp);
    }

    private sealed class SumReducer : IReduceFunction<(int Key, long Value)>
    {
        public (int Key, long Value) Reduce((int Key, long Value) accumulated, (int Key, long Value) value) => (accumulated.Key, accumulated.Value + value.Value);
    }

    private sealed class AverageAggregate : IAggregateFunction<(int Key, int Value), (int Key, long Sum, long Count), (int Key, double Average)>
    {
        public (int Key, long Sum, long Count) CreateAccumulator() => (0, 0, 0);

        public (int Key, long Sum, long Count) Add((int Key, int Value) value, (int Key, long Sum, long Count) accumulator) =>
            (value.Key, accumulator.Sum + value.Value, accumulator.Count + 1);

        public (int Key, double Average) GetResult((int Key, long Sum, long Count) accumulator) => (accumulator.Key, (double)accumulator.Sum / accumulator.Count);

        public (int Key, long Sum, long Count) Merge((int Key, long Sum, long Count) a, (int Key, long Sum, long Count) b) => (a.Key, a.Sum + b.Sum, a.Count + b.Count);
    }

    private sealed class LifecycleMapper(ConcurrentQueue<(object Instance, int Subtask, string Event, long Value)> log) : IMapFunction<int, int>, IRichFunction
    {
        private int _subtask = -1;
        private long _count;

        public int OpenCalls { get; private set; }

        public void Open(IRuntimeContext context)
        {
            OpenCalls++;
            _subtask = context.IndexOfThisSubtask;
            log.Enqueue((this, _subtask, "map-open", OpenCalls));
        }

        public int Map(int value)
        {
            _count++;
            return value;
        }

        public void Close() => log.Enqueue((this, _subtask, "map-close", _count));
    }

    private sealed class LifecycleFilter(ConcurrentQueue<(object Instance, int Subtask, string Event, long Value)> log) : IFilterFunction<int>, IRichFunction
    {
        public void Open(IRuntimeContext context) => log.Enqueue((this, context.IndexOfThisSubtask, "filter-open", 1));

        public bool Filter(int value) => true;

        public void Close()
        {
        }
    }

    private sealed class InstanceLoggingSink(ConcurrentQueue<(object Sink, int Subtask)> log) : ISink<int>
    {
        public ISinkWriter<int> CreateWriter(SinkWriterContext context)
        {
            log.Enqueue((this, context.SubtaskIndex));
            return new CollectSink<int>().CreateWriter(context);
        }
    }

    private sealed class CountingMapper : IMapFunction<int, int>, IRichFunction
    {
        private Rill.Accumulators.LongCounter _mapped = null!;
        private Rill.Accumulators.LongCounter _negative = null!;

        public void Open(IRuntimeContext context)
        {
            _mapped = context.GetLongCounter("mapped");
            _negative = context.GetLongCounter("negative");
        }

        public int Map(int value)
        {
            _mapped.Increment();
            if (value < 0)
            {
                _negative.Increment();
            }

            return value;
        }

        public void Close()
        {
        }
    }
}
