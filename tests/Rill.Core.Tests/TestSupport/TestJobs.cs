using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;

namespace Rill.Tests.TestSupport;

/// <summary>Runs jobs embedded with a hard upper bound, so a hang fails the test instead of stalling the run.</summary>
internal static class TestJobs
{
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(30);

    public static StreamExecutionEnvironment Env(int parallelism, RuntimeExecutionMode mode = RuntimeExecutionMode.Streaming) =>
        StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(parallelism).SetRuntimeMode(mode);

    /// <summary>Executes the job; cancels it and fails when it does not end within <see cref="JobTimeout"/>.</summary>
    public static async Task<JobExecutionResult> RunAsync(StreamExecutionEnvironment env, string jobName = "Test Job", TimeSpan? timeout = null)
    {
        var limit = timeout ?? JobTimeout;
        using var cancellation = new CancellationTokenSource(limit);
        try
        {
            return await env.ExecuteAsync(jobName, cancellation.Token).WaitAsync(limit + TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (cancellation.IsCancellationRequested && e is not TimeoutException)
        {
            throw new TimeoutException($"Job '{jobName}' did not finish within {limit.TotalSeconds} s (hang?).", e);
        }
    }

    public static async Task<IReadOnlyList<T>> CollectAsync<T>(DataStream<T> stream, string jobName = "Collect Job")
    {
        var sink = new CollectSink<T>();
        stream.SinkTo(sink, "Collect Sink");
        await RunAsync(stream.Environment, jobName);
        return sink.Values;
    }

    /// <summary>Event-time strategy whose watermarks depend only on the data (see <see cref="PunctuatedBoundedWatermarks{T}"/>).</summary>
    public static WatermarkStrategy<T> Punctuated<T>(Func<T, long> timestamp, long outOfOrderness = 0) =>
        WatermarkStrategy<T>.ForGenerator(() => new PunctuatedBoundedWatermarks<T>(outOfOrderness)).WithTimestampAssigner(timestamp);
}

/// <summary>
/// Emits "highest timestamp so far − bound − 1" from OnEvent whenever the maximum rises, and nothing periodically.
/// Watermarks therefore depend only on the records and their order, which makes event-time tests at parallelism 1
/// deterministic. The record that raises the maximum is never late whether the watermark goes out before or after it.
/// </summary>
internal sealed class PunctuatedBoundedWatermarks<T>(long outOfOrderness) : IWatermarkGenerator<T>
{
    private long _max = long.MinValue;

    public void OnEvent(T value, long eventTimestamp, IWatermarkOutput output)
    {
        if (eventTimestamp > _max)
        {
            _max = eventTimestamp;
            output.EmitWatermark(new Watermark(eventTimestamp - outOfOrderness - 1));
        }
    }

    public void OnPeriodicEmit(IWatermarkOutput output)
    {
    }
}

/// <summary>Collects what a watermark generator emits, for direct generator tests.</summary>
internal sealed class RecordingWatermarkOutput : IWatermarkOutput
{
    public List<long> Watermarks { get; } = [];

    public List<string> Events { get; } = [];

    public void EmitWatermark(Watermark watermark)
    {
        Watermarks.Add(watermark.Timestamp);
        Events.Add($"wm:{watermark.Timestamp}");
    }

    public void MarkIdle() => Events.Add("idle");

    public void MarkActive() => Events.Add("active");
}

/// <summary>A timestamped keyed record; blittable, so it crosses the network through the unmanaged fast path.</summary>
public readonly record struct Event(int Key, long Timestamp, int Value);

internal static class EventData
{
    /// <summary>
    /// Records in arrival order, each arriving at most <paramref name="outOfOrderness"/> ms after its timestamp. With
    /// <see cref="PunctuatedBoundedWatermarks{T}"/> of the same bound no record is ever late.
    /// </summary>
    public static List<Event> OutOfOrder(int seed, int count, int keys, long minTimestamp, long maxTimestamp, long outOfOrderness,
        Func<Random, long>? timestamp = null)
    {
        var random = new Random(seed);
        var events = Enumerable.Range(0, count)
            .Select(i => new Event(random.Next(keys), timestamp?.Invoke(random) ?? random.NextInt64(minTimestamp, maxTimestamp), random.Next(1, 1000)))
            .Select(e => (Event: e, Arrival: e.Timestamp + random.NextInt64(0, outOfOrderness + 1)))
            .OrderBy(x => x.Arrival)
            .Select(x => x.Event)
            .ToList();
        return events;
    }

    /// <summary>Flink's TimeWindow.getWindowStartWithOffset, written independently for expectations.</summary>
    public static long WindowStart(long timestamp, long offset, long size)
    {
        return timestamp - Mod(timestamp - offset, size);

        static long Mod(long a, long m) => ((a % m) + m) % m;
    }
}

/// <summary>Tags each record with the index of the subtask that saw it.</summary>
internal sealed class SubtaskTagger<T> : IMapFunction<T, (int Subtask, T Value)>, IRichFunction
{
    private int _subtask = -1;

    public void Open(IRuntimeContext context) => _subtask = context.IndexOfThisSubtask;

    public (int Subtask, T Value) Map(T value) => (_subtask, value);

    public void Close()
    {
    }
}
