using Rill.EventTime;
using Rill.Metrics;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Metrics;

/// <summary>
/// What a dashboard shows through the <c>Rill</c> meter: the subtasks' record counters add up to exactly the records the
/// job exchanged, tagged per job, task and subtask; while a job runs, its rates, busy time and watermarks are observable.
/// </summary>
public sealed class RillMeterTests
{
    [Fact]
    public async Task NumRecordsOut_and_numRecordsIn_sum_to_the_records_the_job_exchanged()
    {
        using var recorder = new RillMeterRecorder();
        const int records = 20_000;
        var env = TestJobs.Env(2);
        var sink = new CollectSink<long>();
        env.FromSource(new DataGeneratorSource<long>(i => i, records), WatermarkStrategy<long>.NoWatermarks(), "Numbers").SetParallelism(1)
            .Rebalance()
            .Map(v => v * 2).Name("Double")
            .SinkTo(sink, "Collected");

        var result = await TestJobs.RunAsync(env, "Metered exchange");

        Assert.Equal(records, sink.Values.Count);
        var measurements = recorder.OfJob(result.JobId);
        var recordsOut = measurements.Where(m => m.Instrument == "numRecordsOut").ToList();
        var recordsIn = measurements.Where(m => m.Instrument == "numRecordsIn").ToList();
        // The source sends every record over the network once; the two consumer subtasks receive them between them.
        Assert.Equal(records, recordsOut.Sum(m => m.Value));
        Assert.Equal(records, recordsIn.Sum(m => m.Value));
        Assert.Equal(["Numbers"], recordsOut.Select(m => (string)m.Tag(MetricTags.TaskName)!).Distinct().Select(n => n.Split(' ')[0]));
        Assert.Equal([0, 1], recordsIn.Select(m => (int)m.Tag(MetricTags.SubtaskIndex)!).Distinct().Order());
        Assert.All(measurements, m => Assert.Equal("Metered exchange", m.Tag(MetricTags.JobName)));
        // Bytes travel with the records.
        Assert.True(measurements.Where(m => m.Instrument == "numBytesOut").Sum(m => m.Value) >= records * sizeof(long));
    }

    [Fact]
    public async Task A_running_job_reports_rates_busy_time_and_watermarks()
    {
        using var recorder = new RillMeterRecorder();
        var env = TestJobs.Env(2);
        // About 2.5 s of input at 4000 records per second: the reporter samples every second, so rates exist meanwhile.
        env.FromSource(new DataGeneratorSource<long>(i => i, 10_000, recordsPerSecond: 4000),
                WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(v => 1_000_000 + v), "Paced").SetParallelism(1)
            .Rebalance()
            .Map(v => v + 1).Name("Increment")
            .SinkTo(new CollectSink<long>(), "Collected");

        var running = TestJobs.RunAsync(env, "Metered rates");
        await Task.Delay(TimeSpan.FromSeconds(1.8));
        recorder.Collect();
        var result = await running;

        var gauges = recorder.OfJob(result.JobId);
        var busy = gauges.Where(m => m.Instrument == "busyTimeMsPerSecond").ToList();
        Assert.NotEmpty(busy);
        Assert.All(busy, m => Assert.InRange(m.Value, 0, 1000));
        Assert.All(gauges.Where(m => m.Instrument is "idleTimeMsPerSecond" or "backPressuredTimeMsPerSecond"), m => Assert.InRange(m.Value, 0, 1000));
        Assert.Contains(gauges, m => m.Instrument == "numRecordsInPerSecond" && m.Value > 0);
        Assert.Contains(gauges, m => m.Instrument == "numRecordsOutPerSecond" && m.Value > 0);
        // Event time flows: the source sent watermarks, the consumers passed them on (epoch ms of the generated timestamps).
        Assert.Contains(gauges, m => m.Instrument == "currentOutputWatermark" && m.Value >= 1_000_000);
        Assert.Contains(gauges, m => m.Instrument == "currentInputWatermark" && m.Value >= 1_000_000);
    }
}
