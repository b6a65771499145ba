using Rill.Functions;
using Rill.State;
using Rill.Tests.TestSupport;
using Rill.Windowing;

namespace Rill.Tests.State.Backends;

/// <summary>
/// The window operator takes the heap backend's in-place path or the get/put path of any other backend: merging
/// session windows and process windows that keep every element give the same results on either.
/// </summary>
public sealed class WindowsOnEitherBackendTests : IDisposable
{
    private readonly string _local = Path.Combine(Path.GetTempPath(), "rill-windows-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_local))
        {
            Directory.Delete(_local, recursive: true);
        }
    }

    [Fact]
    public async Task SessionAndProcessWindowsGiveTheSameResultsOnRocksDbAsOnTheHeap()
    {
        var onHeap = await RunAsync(StateBackends.Heap);
        var onRocksDb = await RunAsync(StateBackends.RocksDb);

        Assert.Contains(onHeap, line => line.StartsWith("session", StringComparison.Ordinal) && !line.EndsWith(",1", StringComparison.Ordinal)); // sessions really merged
        Assert.Contains(onHeap, line => line.StartsWith("tumbling", StringComparison.Ordinal));
        Assert.Equal(onHeap, onRocksDb);
    }

    private async Task<List<string>> RunAsync(string backend)
    {
        // Even timestamps and an odd gap, out of order by up to 200 ms, at parallelism 1 with watermarks from the data
        // alone: the same input always gives the same windows, so the backends must agree line for line.
        var random = new Random(7);
        var events = Enumerable.Range(0, 2_000).Select(i => (Key: random.Next(6), Timestamp: (i * 10L) + (random.Next(0, 20) * 2), Value: (long)i)).ToList();
        var env = TestJobs.Env(1).SetStateBackend(backend, _local);
        var source = env.FromCollection(events).AssignTimestampsAndWatermarks(TestJobs.Punctuated<(int Key, long Timestamp, long Value)>(e => e.Timestamp, outOfOrderness: 200));
        var sessions = source.KeyBy(e => e.Key)
            .Window(EventTimeSessionWindows.WithGap<(int Key, long Timestamp, long Value)>(TimeSpan.FromMilliseconds(51)))
            .Aggregate(new SumAndCount(), (key, window, total) => $"session,{key},{window.Start},{window.End},{total.Sum},{total.Count}");
        var tumbling = source.KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of<(int Key, long Timestamp, long Value)>(TimeSpan.FromMilliseconds(250)))
            .Process(new ListValues());

        var results = await TestJobs.CollectAsync(sessions.Union(tumbling));
        return [.. results.Order(StringComparer.Ordinal)];
    }

    private sealed class SumAndCount : IAggregateFunction<(int Key, long Timestamp, long Value), (long Sum, long Count), (long Sum, long Count)>
    {
        public (long Sum, long Count) CreateAccumulator() => (0, 0);

        public (long Sum, long Count) Add((int Key, long Timestamp, long Value) value, (long Sum, long Count) accumulator) => (accumulator.Sum + value.Value, accumulator.Count + 1);

        public (long Sum, long Count) GetResult((long Sum, long Count) accumulator) => accumulator;

        public (long Sum, long Count) Merge((long Sum, long Count) a, (long Sum, long Count) b) => (a.Sum + b.Sum, a.Count + b.Count);
    }

    /// <summary>Sees every element of a window: the contents are a list that grows with each record.</summary>
    private sealed class ListValues : ProcessWindowFunction<(int Key, long Timestamp, long Value), string, int, TimeWindow>
    {
        public override void Process(int key, Context context, IEnumerable<(int Key, long Timestamp, long Value)> elements, ICollector<string> output) =>
            output.Collect($"tumbling,{key},{context.Window.Start},{string.Join(' ', elements.Select(e => e.Value).Order())}");
    }
}
