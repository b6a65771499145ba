using System.Runtime.CompilerServices;
using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Sources;
using Rill.Windowing;

namespace Rill.Bench;

/// <summary>
/// ClickCounts on Rill, embedded: collection source with bounded-out-of-orderness watermarks → Filter → Map
/// (chained to the source) → KeyBy(user) → 1-minute tumbling event-time window → count aggregate with a window
/// function that adds the window start → collect sink (chained to the window).
/// </summary>
public static class RillContender
{
    public static async Task<IReadOnlyList<WindowCount>> RunAsync(Click[] events, int parallelism, RuntimeExecutionMode mode)
    {
        var sink = new CollectSink<WindowCount>();
        await RunAsync(events, parallelism, mode, sink).ConfigureAwait(false);
        return sink.Values;
    }

    /// <summary>The same job into any sink (the diagnostics use one that allocates nothing per result).</summary>
    public static async Task RunAsync(Click[] events, int parallelism, RuntimeExecutionMode mode, ISink<WindowCount> sink)
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment()
            .SetParallelism(parallelism)
            .SetRuntimeMode(mode);
        var watermarks = WatermarkStrategy<Click>
            .ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(ClickCounts.MaxOutOfOrdernessMs))
            .WithTimestampAssigner(click => click.Timestamp);
        env.FromSource(new CollectionSource<Click>(events), watermarks, "Clicks")
            .Filter(c => ClickCounts.IsValid(c))
            .Map(c => ClickCounts.ToUserClick(c))
            .KeyBy(c => c.UserId)
            .Window(TumblingEventTimeWindows.Of<UserClick>(TimeSpan.FromMilliseconds(ClickCounts.WindowSizeMs)))
            .Aggregate(new CountAggregate<UserClick>(), (int userId, TimeWindow window, long count) => new WindowCount(window.Start, userId, count))
            .SinkTo(sink, "Window counts");
        await env.ExecuteAsync("ClickCounts bench").ConfigureAwait(false);
    }
}

/// <summary>
/// Diagnostic cuts of the Rill pipeline (--stages): how much of a run goes to the chained source part, to the
/// keyed network exchange, and to the window operator. They count records; their output is not ClickCounts.
/// </summary>
public static class RillStages
{
    public static async Task<long> SourceChainOnlyAsync(Click[] events, int parallelism)
    {
        var (env, stream) = Start(events, parallelism);
        var sink = new CountingSink<UserClick>();
        stream.SinkTo(sink, "Count");
        await env.ExecuteAsync("stage: source chain").ConfigureAwait(false);
        return sink.Count;
    }

    public static async Task<long> ThroughKeyByAsync(Click[] events, int parallelism)
    {
        var (env, stream) = Start(events, parallelism);
        var sink = new CountingSink<UserClick>();
        stream.KeyBy(c => c.UserId).SinkTo(sink, "Count");
        await env.ExecuteAsync("stage: keyBy exchange").ConfigureAwait(false);
        return sink.Count;
    }

    /// <summary>
    /// The full ClickCounts job into a <see cref="PresizedSink"/> allocated once, before any measurement: Rill's
    /// allocations without those of storing the results.
    /// </summary>
    public static async Task<IEnumerable<WindowCount>> PresizedSinkAsync(Click[] events, int parallelism, PresizedSink sink)
    {
        sink.Reset();
        await RillContender.RunAsync(events, parallelism, RuntimeExecutionMode.Streaming, sink).ConfigureAwait(false);
        return sink.Results;
    }

    private static (StreamExecutionEnvironment, DataStream<UserClick>) Start(Click[] events, int parallelism)
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(parallelism).SetRuntimeMode(RuntimeExecutionMode.Streaming);
        var watermarks = WatermarkStrategy<Click>
            .ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(ClickCounts.MaxOutOfOrdernessMs))
            .WithTimestampAssigner(click => click.Timestamp);
        var stream = env.FromSource(new CollectionSource<Click>(events), watermarks, "Clicks")
            .Filter(c => ClickCounts.IsValid(c))
            .Map(c => ClickCounts.ToUserClick(c));
        return (env, stream);
    }

    /// <summary>Counts what its writers see. Rill clones a sink per subtask (shallowly), so the total lives in a shared box.</summary>
    private sealed class CountingSink<T> : ISink<T>
    {
        private readonly StrongBox<long> _total = new();

        public long Count => Interlocked.Read(ref _total.Value);

        public ISinkWriter<T> CreateWriter(SinkWriterContext context) => new Writer(this);

        private sealed class Writer(CountingSink<T> sink) : ISinkWriter<T>
        {
            private long _count;

            public void Write(T value, long? timestamp) => _count++;

            public void Flush(bool endOfInput)
            {
                if (endOfInput)
                {
                    Interlocked.Add(ref sink._total.Value, _count);
                    _count = 0;
                }
            }

            public void Dispose()
            {
            }
        }
    }
}

/// <summary>Writes results into one array allocated up front (shared by the per-subtask clones), so a run allocates nothing per result here.</summary>
public sealed class PresizedSink(int capacity) : ISink<WindowCount>
{
    private readonly WindowCount[] _results = new WindowCount[capacity];
    private readonly StrongBox<int> _count = new();

    /// <summary>Forgets the previous run's results; the array is reused, so a run allocates nothing for them.</summary>
    public void Reset() => Volatile.Write(ref _count.Value, 0);

    public IEnumerable<WindowCount> Results => new ArraySegment<WindowCount>(_results, 0, Math.Min(Volatile.Read(ref _count.Value), _results.Length));

    public ISinkWriter<WindowCount> CreateWriter(SinkWriterContext context) => new Writer(this);

    private sealed class Writer(PresizedSink sink) : ISinkWriter<WindowCount>
    {
        public void Write(WindowCount value, long? timestamp)
        {
            var index = Interlocked.Increment(ref sink._count.Value) - 1;
            if (index >= sink._results.Length)
            {
                throw new InvalidOperationException($"More than {sink._results.Length} results.");
            }

            sink._results[index] = value;
        }

        public void Flush(bool endOfInput)
        {
        }

        public void Dispose()
        {
        }
    }
}
