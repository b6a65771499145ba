using System.Collections.Concurrent;
using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Sources;
using Rill.State;
using Rill.Tests.TestSupport;
using Rill.Windowing;

namespace Rill.Tests.State.Backends;

/// <summary>
/// Whole checkpointed jobs on each backend: windows, a keyed process function with map and list state and timers, a
/// keyed FlatMap with value state and a rolling Reduce give the same committed output on RocksDB as on the heap, and a
/// RocksDB job that fails once restores its latest checkpoint and still commits every result exactly once.
/// </summary>
public sealed class StateBackendJobTests : IDisposable
{
    private const long Count = 30_000;
    private const int Parallelism = 2;
    private static readonly ConcurrentDictionary<string, int> Failures = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rill-backend-jobs-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task ACheckpointedJobCommitsTheSameOutputOnRocksDbAsOnTheHeap()
    {
        var onHeap = await RunAsync(StateBackends.Heap, "heap", failAt: null);
        var onRocksDb = await RunAsync(StateBackends.RocksDb, "rocksdb", failAt: null);

        Assert.Equal(Expected(), onHeap);
        Assert.Equal(onHeap, onRocksDb);
        AssertEveryRocksDbFolderWasDeleted();
    }

    [Fact]
    public async Task ARocksDbJobThatFailsOnceRestoresItsLatestCheckpointAndCommitsEveryResultOnce()
    {
        var token = Guid.NewGuid().ToString("N");

        // The last reader's first record after a commit (values ≥ failAt come from it alone): at 5,000 records/s per
        // reader its range lasts 3 s, far longer than the first commit takes even on a loaded machine.
        var committed = await RunAsync(StateBackends.RocksDb, "failing", failAt: (token, Count * (Parallelism - 1) / Parallelism));

        Assert.Equal(1, Failures.GetValueOrDefault(token));
        Assert.Equal(Expected(), committed);
        AssertEveryRocksDbFolderWasDeleted();
    }

    private async Task<List<string>> RunAsync(string backend, string name, (string Token, long Value)? failAt)
    {
        var output = Path.Combine(_root, name, "out");
        var env = TestJobs.Env(Parallelism);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(50));
        env.ConfigureCheckpointing(c => c with { Directory = Path.Combine(_root, name, "checkpoints") });
        env.SetStateBackend(backend, Path.Combine(_root, "local"));
        env.Deployment = env.Deployment with { RestartStrategy = "fixed-delay:3:0.1" };
        var numbers = env.FromSource(new DataGeneratorSource<long>(i => i, Count, recordsPerSecond: 10_000),
                WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(x => x), "Numbers")
            .Map(new FailOnceAfterACommit(failAt, output)).Name("Fail Once");

        var windows = numbers.KeyBy(x => x % 10)
            .Window(TumblingEventTimeWindows.Of<long>(TimeSpan.FromSeconds(1)))
            .Aggregate(new CountAggregate<long>(), (key, window, total) => $"window,{key},{window.Start},{total}");
        var seconds = numbers.KeyBy(x => x % 7).Process(new PerSecondStats());
        var milestones = numbers.KeyBy(x => x % 5).FlatMap(new CountMilestones());
        var totals = numbers.Map(x => (Key: x % 3, Sum: x)).KeyBy(t => t.Key).Reduce((a, b) => (a.Key, a.Sum + b.Sum))
            .Filter(t => t.Sum == Total(t.Key)) // the rolling sums depend on the order records meet in; the last one does not
            .Map(t => $"sum,{t.Key},{t.Sum}");
        windows.Union(seconds, milestones, totals).SinkTo(new FileSink<string>(output), "Committed Output");

        await TestJobs.RunAsync(env, timeout: TimeSpan.FromSeconds(60));

        return Directory.EnumerateFiles(output).Where(f => !Path.GetFileName(f).StartsWith('.')).SelectMany(File.ReadLines).Order(StringComparer.Ordinal).ToList();
    }

    private static List<string> Expected()
    {
        var values = Enumerable.Range(0, (int)Count).Select(i => (long)i).ToList();
        var secondsOfData = (int)(Count / 1000);
        IEnumerable<string> windows = Enumerable.Range(0, 10).SelectMany(key => Enumerable.Range(0, secondsOfData).Select(w => $"window,{key},{w * 1000},100"));
        var seconds = values.GroupBy(v => (Key: v % 7, Second: v / 1000)).Select(g => $"second,{g.Key.Key},{g.Key.Second},{g.Count()},{g.Sum()}");
        var milestones = Enumerable.Range(0, 5).SelectMany(key => Enumerable.Range(1, (int)(Count / 5 / 1000)).Select(m => $"milestone,{key},{m * 1000}"));
        var totals = Enumerable.Range(0, 3).Select(key => $"sum,{key},{Total(key)}");
        return windows.Concat(seconds).Concat(milestones).Concat(totals).Order(StringComparer.Ordinal).ToList();
    }

    private static readonly long[] Totals = [.. Enumerable.Range(0, 3).Select(key => Enumerable.Range(0, (int)Count).Where(v => v % 3 == key).Sum(v => (long)v))];

    private static long Total(long key) => Totals[key];

    private void AssertEveryRocksDbFolderWasDeleted()
    {
        var folders = Path.Combine(_root, "local", "rocksdb");
        Assert.True(Directory.Exists(folders)); // the RocksDB job did keep its state there
        Assert.Empty(Directory.EnumerateFileSystemEntries(folders));
    }

    /// <summary>Per key and second of event time: records and their sum, from map state and list state, emitted by an event-time timer.</summary>
    private sealed class PerSecondStats : KeyedProcessFunction<long, long, string>
    {
        private IMapState<long, long> _perSecond = null!;
        private IListState<long> _values = null!;

        public override void Open(IRuntimeContext context)
        {
            base.Open(context);
            _perSecond = context.GetMapState(new MapStateDescriptor<long, long>("per-second"));
            _values = context.GetListState(new ListStateDescriptor<long>("values"));
        }

        public override void ProcessElement(long value, Context context, ICollector<string> output)
        {
            var second = value / 1000;
            _perSecond.Put(second, (_perSecond.TryGetValue(second, out var count) ? count : 0) + 1);
            _values.Add(value);
            context.TimerService.RegisterEventTimeTimer((second * 1000) + 999);
        }

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<string> output)
        {
            var second = timestamp / 1000;
            var values = _values.Get();
            output.Collect($"second,{context.CurrentKey},{second},{_perSecond.Get(second)},{values.Where(v => v / 1000 == second).Sum()}");
            _values.Update(values.Where(v => v / 1000 != second).ToList());
            _perSecond.Remove(second);
        }
    }

    /// <summary>A keyed FlatMap (state through the key context, not a keyed operator) that reports every thousandth record of its key.</summary>
    private sealed class CountMilestones : IFlatMapFunction<long, string>, IRichFunction
    {
        private IValueState<long> _count = null!;

        public void Open(IRuntimeContext context) => _count = context.GetState(new ValueStateDescriptor<long>("count"));

        public void Close()
        {
        }

        public void FlatMap(long value, ICollector<string> output)
        {
            var count = _count.Value + 1;
            _count.Update(count);
            if (count % 1000 == 0)
            {
                output.Collect($"milestone,{value % 5},{count}");
            }
        }
    }

    /// <summary>
    /// Fails the job once, at the first record from the fail value on that comes after the sink committed something
    /// (so a restart from scratch would duplicate committed output).
    /// </summary>
    private sealed class FailOnceAfterACommit((string Token, long Value)? failAt, string output) : IMapFunction<long, long>
    {
        public long Map(long value)
        {
            if (failAt is { } fail && value >= fail.Value && !Failures.ContainsKey(fail.Token))
            {
                if (Directory.Exists(output) && Directory.EnumerateFiles(output, "part-*").Any() && Failures.TryAdd(fail.Token, 1))
                {
                    throw new InvalidOperationException("Injected failure.");
                }

                // Nothing committed yet (a loaded machine): slow down rather than let the rest pass without the failure.
                Thread.Sleep(1);
            }

            return value;
        }
    }
}
