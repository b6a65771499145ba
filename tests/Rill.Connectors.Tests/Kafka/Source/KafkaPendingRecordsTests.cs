using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Rill.Connectors.Kafka.Source;
using Rill.EventTime;
using Rill.Functions;
using Rill.Metrics;
using Rill.Sinks;
using Rill.Tests.TestSupport;

namespace Rill.Connectors.Tests.Kafka.Source;

/// <summary>
/// FLIP-33's pendingRecords of the Kafka source, on the <c>Rill</c> meter: while the job is held back, it reports the
/// records behind the partition's high watermark (what a lag alert or an autoscaler reads); once the job caught up, 0.
/// </summary>
[Collection("Connector processes")]
public sealed class KafkaPendingRecordsTests
{
    private const int Count = 30_000;

    [Fact]
    public async Task PendingRecords_shows_the_backlog_of_a_held_back_job_and_0_once_it_caught_up()
    {
        using var broker = await DevKafkaBroker.StartAsync("--topic", "backlog:1");
        KafkaTestClient.ProduceStrings(broker.BootstrapServers, "backlog", Enumerable.Range(0, Count).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var jobName = "pending records " + Guid.NewGuid().ToString("N")[..8];
        using var pending = new PendingRecordsListener(jobName);
        using var gate = new ManualResetEventSlim();
        var sink = new CollectSink<string>();

        var env = TestJobs.Env(parallelism: 1);
        var source = KafkaSource<string>.Builder().SetBootstrapServers(broker.BootstrapServers).SetTopics("backlog")
            .SetDeserializer(KafkaDeserializers.Utf8String).Build(); // unbounded: the job runs until canceled
        env.FromSource(source, WatermarkStrategy<string>.NoWatermarks(), "Kafka")
            .Map(new WaitForGate(gate)).Name("Held back")
            .SinkTo(sink, "Collected");
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = env.ExecuteAsync(jobName, cancellation.Token);

        // The task thread waits in its first record; the fetcher reads ahead until its queue is full, then waits too.
        var backlog = await pending.WaitForAsync(value => value > 0, running);
        Assert.InRange(backlog, 1, Count);

        gate.Set();
        await pending.WaitForAsync(value => value == 0 && sink.Values.Count == Count, running);
        Assert.Equal(Count, sink.Values.Count);

        await cancellation.CancelAsync();
        var ended = await Record.ExceptionAsync(() => running);
        Assert.True(ended is OperationCanceledException or Rill.Api.JobExecutionException, $"The job should end canceled, not with {ended}");
    }

    /// <summary>Passes records on once the test opened the gate (a field, so every copy of the function shares it).</summary>
    private sealed class WaitForGate(ManualResetEventSlim gate) : IMapFunction<string, string>
    {
        public string Map(string value)
        {
            gate.Wait(TimeSpan.FromSeconds(30));
            return value;
        }
    }

    /// <summary>The pendingRecords gauge of one job, collected as an exporter would.</summary>
    private sealed class PendingRecordsListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<long> _values = new();

        public PendingRecordsListener(string jobName)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RillTelemetry.MeterName && instrument.Name == "pendingRecords")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == MetricTags.JobName && tag.Value as string == jobName)
                    {
                        _values.Enqueue(value);
                    }
                }
            });
            _listener.Start();
        }

        /// <summary>Collects every 200 ms until a value satisfies <paramref name="condition"/>; fails if the job ends first or after 30 s.</summary>
        public async Task<long> WaitForAsync(Func<long, bool> condition, Task job)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline && !job.IsCompleted)
            {
                _values.Clear();
                _listener.RecordObservableInstruments();
                foreach (var value in _values)
                {
                    if (condition(value))
                    {
                        return value;
                    }
                }

                await Task.Delay(200);
            }

            Assert.Fail($"pendingRecords never met the condition (last seen: {string.Join(", ", _values)}; job ended: {job.IsCompleted}).");
            return -1;
        }

        public void Dispose() => _listener.Dispose();
    }
}
