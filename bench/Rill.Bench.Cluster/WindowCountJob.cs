using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Sources;
using Rill.Windowing;

namespace Rill.Bench.Cluster;

/// <summary>One tumbling event-time window's count for one key; 20 blittable bytes, so it is copied byte for byte.</summary>
internal readonly record struct WindowResult(int Key, long WindowStart, long Count);

/// <summary>
/// The throughput job: generator source of N longs → keyBy(value mod keys) → tumbling event-time window → count →
/// a counter → discarding sink. Event time is the record's position in its source split (monotonous per subtask, so
/// no record is late and every source subtask advances event time at the same pace); the count of every window is
/// summed into an accumulator, which must equal N. Unbounded (with a rate) for the failure-detection run.
/// </summary>
internal static class WindowCountJob
{
    public const string ResultsCounter = "window-results";
    public const string CountedCounter = "counted-records";

    public static void Build(StreamExecutionEnvironment env, long records, int keys, long windowMs, double? rate)
    {
        var parallelism = env.Parallelism;
        DataGeneratorSource<long> source;
        WatermarkStrategy<long> watermarks;
        if (records > 0)
        {
            // DataGeneratorSource splits [0, N) into contiguous ranges of N / p; the position inside the range is the
            // timestamp, so both source subtasks cover the same event-time range at the same pace.
            if (records % parallelism != 0)
            {
                throw new ArgumentException($"--records must be a multiple of the parallelism ({parallelism}).");
            }

            var perSplit = records / parallelism;
            source = new DataGeneratorSource<long>(Generate, records, rate);
            watermarks = WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(v => v % perSplit);
        }
        else
        {
            // Unbounded: reader i emits i, i + p, i + 2p, ...; value / p is monotonous per reader.
            source = new DataGeneratorSource<long>(Generate, null, rate);
            watermarks = WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(v => v / parallelism);
        }

        env.FromSource(source, watermarks, "Sequence Source")
            .KeyBy(v => (int)(v % keys))
            .Window(TumblingEventTimeWindows.Of<long>(TimeSpan.FromMilliseconds(windowMs)))
            .Aggregate(new CountAggregate<long>(), (key, window, count) => new WindowResult(key, window.Start, count))
            .Name("Window Count")
            .Process(new ResultCounter()).Name("Count Results")
            .SinkTo(new DiscardingSink<WindowResult>(), "Discard");
    }

    private static long Generate(long index)
    {
        Probe.MarkSource();
        return index;
    }

    /// <summary>Counts results and the records they cover into accumulators and marks the time of the last result.</summary>
    private sealed class ResultCounter : ProcessFunction<WindowResult, WindowResult>
    {
        private Accumulators.LongCounter _results = null!;
        private Accumulators.LongCounter _counted = null!;

        public override void Open(IRuntimeContext context)
        {
            base.Open(context);
            _results = context.GetLongCounter(ResultsCounter);
            _counted = context.GetLongCounter(CountedCounter);
        }

        public override void ProcessElement(WindowResult value, Context context, ICollector<WindowResult> output)
        {
            _results.Increment();
            _counted.Add(value.Count);
            Probe.MarkSink();
        }
    }
}
