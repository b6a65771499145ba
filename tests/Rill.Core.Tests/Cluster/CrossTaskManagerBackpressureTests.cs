using System.Net.Http.Json;
using System.Text.Json;
using Rill.Api;
using Rill.Functions;
using Rill.Graph;
using Rill.Runtime.Entrypoint;
using Rill.Runtime.HighAvailability;
using Rill.Runtime.Messages;
using Rill.Runtime.TaskExecutor;
using Rill.Sinks;

namespace Rill.Tests.Cluster;

/// <summary>
/// Two TaskManagers (one slot each) behind a JobManager, with real gRPC and a real TCP data plane between them, in this
/// test process: a deliberately slow sink backpressures its producers across the connection, and the producers'
/// TaskManagers never hold more bytes in flight per channel than the consumer granted as credit.
/// </summary>
[Collection("Cluster")]
public sealed class CrossTaskManagerBackpressureTests
{
    [Fact]
    public async Task A_slow_sink_on_another_TaskManager_keeps_the_senders_in_flight_bytes_within_the_granted_credits()
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment();
        env.SetParallelism(2);
        env.FromSequence(0, 60_000)
            .Map(i => (Key: i % 64, Payload: new string('x', 48)))
            .KeyBy(r => r.Key)
            .Map(new SlowMap()).Name("Slow Sink Map")
            .SinkTo(new DiscardingSink<(long, string)>(), "Discard");
        var job = JobGraphGenerator.Create(env.GetStreamGraph("Backpressure"));

        await using var jobManager = new JobManagerRunner(new JobManagerConfiguration { RestPort = 0 }, JobManagerRunner.NewStaticFencingToken());
        await jobManager.StartAsync();
        var taskManagers = new List<TaskManagerRunner>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var runner = new TaskManagerRunner(new TaskManagerConfiguration { TaskManagerId = $"bp-{i}", NumberOfSlots = 1 },
                    new RestLeaderRetrieval(jobManager.RestAddress), (_, _) => Task.FromResult(job));
                await runner.StartAsync();
                taskManagers.Add(runner);
            }

            await jobManager.Dispatcher.SubmitJobAsync(job);
            var result = await jobManager.Dispatcher.RequestJobResultAsync(job.JobId).WaitAsync(TimeSpan.FromSeconds(90));
            Assert.Equal(JobStatus.Finished, result.Status);

            using var http = new HttpClient { BaseAddress = jobManager.RestAddress };
            var details = await http.GetFromJsonAsync<JsonElement>($"jobs/{JobIds.Format(job.JobId)}/metrics");
            var producer = details.GetProperty("vertices").EnumerateArray().First().GetProperty("metrics");
            Assert.True(producer.GetProperty("backpressured-time-ms").GetInt64() > 0, "The slow sink never backpressured its producers.");

            foreach (var runner in taskManagers)
            {
                // The heartbeat carries the data server's high-water mark to the ResourceManager and the REST API.
                JsonElement metrics = default;
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
                do
                {
                    await Task.Delay(200);
                    metrics = (await http.GetFromJsonAsync<JsonElement>($"taskmanagers/{runner.TaskExecutor.TaskManagerId}")).GetProperty("metrics");
                }
                while ((!metrics.TryGetProperty("dataPlaneBytesSent", out var sent) || sent.GetInt64() < runner.DataBytesSent) && DateTime.UtcNow < deadline);

                var inFlight = metrics.GetProperty("maxInFlightBytesPerChannel").GetInt64();
                var bound = metrics.GetProperty("maxCreditBytesPerChannel").GetInt64();
                Assert.True(metrics.GetProperty("dataPlaneBytesSent").GetInt64() > 1_000_000, "Too little crossed the data plane to mean anything.");
                Assert.InRange(inFlight, 1, bound);
            }
        }
        finally
        {
            foreach (var runner in taskManagers)
            {
                await runner.DisposeAsync();
            }
        }
    }

    /// <summary>Slow on purpose: about 20 µs per record, far slower than the source.</summary>
    private sealed class SlowMap : IMapFunction<(long Key, string Payload), (long, string)>
    {
        private int _count;

        public (long, string) Map((long Key, string Payload) value)
        {
            if (++_count % 100 == 0)
            {
                Thread.Sleep(2);
            }

            return value;
        }
    }
}
