using Rill.Api;
using Rill.Functions;
using Rill.State;
using Rill.Tests.TestSupport;

namespace Rill.Tests.State;

/// <summary>Value, list, map and reducing state used from a KeyedProcessFunction, against a per-key model in plain C#.</summary>
public sealed class KeyedStateTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task EveryStateKindKeepsItsValuePerKey(int parallelism)
    {
        var random = new Random(7);
        var data = Enumerable.Range(0, 3000).Select(_ => (Key: $"key-{random.Next(40)}", Value: random.Next(-500, 500))).ToArray();
        var env = TestJobs.Env(parallelism);
        // One source subtask: each key's records reach its subtask in input order, so the per-key sequence is exact.
        var result = await TestJobs.CollectAsync(env.FromCollection(data).SetParallelism(1).KeyBy(r => r.Key).Process(new AllStateKinds()));

        Assert.Equal(data.Length, result.Count);
        foreach (var group in data.GroupBy(r => r.Key))
        {
            var expected = new List<string>();
            var values = new List<int>();
            foreach (var (key, value) in group)
            {
                if (value % 10 == 0)
                {
                    values.Clear(); // the function clears every state of the key on multiples of ten
                }
                else
                {
                    values.Add(value);
                }

                expected.Add(Describe(key, values));
            }

            Assert.Equal(expected, result.Where(r => r.StartsWith(group.Key + "|", StringComparison.Ordinal)).ToList());
        }
    }

    [Fact]
    public async Task StateIsVisibleInTimersOfTheSameKeyOnly()
    {
        var data = Enumerable.Range(0, 500).Select(i => (Key: i % 13, Value: (long)i)).ToArray();
        var env = TestJobs.Env(3);
        var result = await TestJobs.CollectAsync(env.FromCollection(data).KeyBy(r => r.Key).Process(new SumThenReportOnTimer()));

        // A timer fires per key when the input ends; it reads that key's sum and nothing else.
        var expected = data.GroupBy(r => r.Key).Select(g => (g.Key, Sum: g.Sum(r => r.Value), Count: g.Count())).OrderBy(r => r.Key);
        Assert.Equal(expected, result.OrderBy(r => r.Key));
    }

    [Theory]
    [InlineData(3, 5, -1)]
    [InlineData(4, 128, 7)]
    [InlineData(2, -1, 32768)]
    public async Task RoutingAndKeyedStateAgreeForAnyMaxParallelism(int parallelism, int environmentMaxParallelism, int operatorMaxParallelism)
    {
        // Routing a key to a subtask other than the one owning its key group would make the backend reject it.
        var data = Enumerable.Range(0, 5000).Select(i => (Key: $"k{i % 61}", Value: (long)i)).ToArray();
        var env = TestJobs.Env(parallelism);
        if (environmentMaxParallelism > 0)
        {
            env.SetMaxParallelism(environmentMaxParallelism);
        }

        var summed = env.FromCollection(data).KeyBy(r => r.Key).Process(new RunningSum());
        if (operatorMaxParallelism > 0)
        {
            summed.SetMaxParallelism(operatorMaxParallelism);
        }

        var result = await TestJobs.CollectAsync(summed);
        var expected = data.GroupBy(r => r.Key).Select(g => (g.Key, g.Sum(r => r.Value))).OrderBy(r => r.Key, StringComparer.Ordinal);
        Assert.Equal(expected, result.GroupBy(r => r.Key).Select(g => (g.Key, g.Max(r => r.Sum))).OrderBy(r => r.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task KeyedStateOutsideAKeyedStreamFailsClearly()
    {
        var env = TestJobs.Env(1);
        env.FromCollection([1, 2, 3]).Map(new StateOnNonKeyedStream()).SinkTo(new Rill.Sinks.CollectSink<int>());
        var error = await Assert.ThrowsAsync<JobExecutionException>(() => TestJobs.RunAsync(env));
        var cause = Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Contains("keyed", cause.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static string Describe(string key, IReadOnlyList<int> values)
    {
        var histogram = values.GroupBy(v => Math.Abs(v) % 5).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}");
        var max = values.Count == 0 ? "none" : values.Max().ToString();
        return $"{key}|count={values.Count}|list={string.Join(",", values)}|map={string.Join(",", histogram)}|max={max}";
    }

    private sealed class AllStateKinds : KeyedProcessFunction<string, (string Key, int Value), string>
    {
        private IValueState<int> _count = null!;
        private IListState<int> _values = null!;
        private IMapState<int, int> _histogram = null!;
        private IReducingState<int?> _max = null!;

        public override void Open(IRuntimeContext context)
        {
            base.Open(context);
            _count = context.GetState(new ValueStateDescriptor<int>("count", 0));
            _values = context.GetListState(new ListStateDescriptor<int>("values"));
            _histogram = context.GetMapState(new MapStateDescriptor<int, int>("histogram"));
            _max = context.GetReducingState(new ReducingStateDescriptor<int?>("max", (a, b) => Math.Max(a!.Value, b!.Value)));
        }

        public override void ProcessElement((string Key, int Value) value, Context context, ICollector<string> output)
        {
            Assert.Equal(value.Key, context.CurrentKey);
            if (value.Value % 10 == 0)
            {
                _count.Clear();
                _values.Clear();
                _histogram.Clear();
                _max.Clear();
            }
            else
            {
                _count.Update(_count.Value + 1);
                _values.Add(value.Value);
                var bucket = Math.Abs(value.Value) % 5;
                _histogram.Put(bucket, _histogram.TryGetValue(bucket, out var n) ? n + 1 : 1);
                _max.Add(value.Value);
            }

            var histogram = _histogram.Entries().OrderBy(e => e.Key).Select(e => $"{e.Key}:{e.Value}");
            var max = _max.Get() is { } m ? m.ToString() : "none";
            output.Collect($"{context.CurrentKey}|count={_count.Value}|list={string.Join(",", _values.Get())}|map={string.Join(",", histogram)}|max={max}");
            Assert.Equal(_count.Value == 0, _histogram.IsEmpty);
        }
    }

    private sealed class SumThenReportOnTimer : KeyedProcessFunction<int, (int Key, long Value), (int Key, long Sum, int Count)>
    {
        private IValueState<long> _sum = null!;
        private IReducingState<int> _count = null!;

        public override void Open(IRuntimeContext context)
        {
            base.Open(context);
            _sum = context.GetState(new ValueStateDescriptor<long>("sum"));
            _count = context.GetReducingState(new ReducingStateDescriptor<int>("count", (a, b) => a + b));
        }

        public override void ProcessElement((int Key, long Value) value, Context context, ICollector<(int Key, long Sum, int Count)> output)
        {
            _sum.Update(_sum.Value + value.Value);
            _count.Add(1);
            context.TimerService.RegisterEventTimeTimer(1_000_000); // fires with the final watermark
        }

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<(int Key, long Sum, int Count)> output) =>
            output.Collect((context.CurrentKey, _sum.Value, _count.Get()));
    }

    private sealed class RunningSum : KeyedProcessFunction<string, (string Key, long Value), (string Key, long Sum)>
    {
        private IValueState<long> _sum = null!;

        public override void Open(IRuntimeContext context)
        {
            base.Open(context);
            _sum = context.GetState(new ValueStateDescriptor<long>("sum"));
        }

        public override void ProcessElement((string Key, long Value) value, Context context, ICollector<(string Key, long Sum)> output)
        {
            _sum.Update(_sum.Value + value.Value);
            output.Collect((value.Key, _sum.Value));
        }
    }

    private sealed class StateOnNonKeyedStream : IMapFunction<int, int>, IRichFunction
    {
        public void Open(IRuntimeContext context) => context.GetState(new ValueStateDescriptor<int>("x"));

        public int Map(int value) => value;

        public void Close()
        {
        }
    }
}
