using System.Net;
using System.Text.Json;
using Rill.Api;
using Rill.EventTime;
using Rill.Runtime.MiniCluster;
using Rill.Sinks;
using Rill.Sources;

namespace Rill.Tests.Runtime;

/// <summary>The embedded cluster serves Flink's REST paths while a job runs, so tools and later tests can watch it.</summary>
public sealed class EmbeddedRestApiTests : IAsyncLifetime
{
    private readonly MiniCluster _cluster = new(new MiniClusterConfiguration { SlotsPerTaskManager = 2, RestPort = 0 });
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        await _cluster.StartAsync();
        _http.BaseAddress = _cluster.RestAddress;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _cluster.DisposeAsync();
    }

    private static Rill.Graph.JobGraph SlowJob()
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(2);
        env.FromSource(new DataGeneratorSource<long>(i => i, count: null, recordsPerSecond: 50), WatermarkStrategy<long>.NoWatermarks(), "Slow Generator")
            .Map(x => x * 2).Name("Double")
            .Rebalance()
            .SinkTo(new CollectSink<long>(), "Collect");
        return env.GetJobGraph("slow job");
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task A_running_jobs_metrics_grow_while_it_runs()
    {
        var jobId = await _cluster.Dispatcher.SubmitJobAsync(SlowJob());
        var id = jobId.ToString("N");
        try
        {
            // Tasks report their I/O metrics every second while they run, not only when they end.
            long ReadRecords(JsonElement metrics) => metrics.GetProperty("vertices").EnumerateArray().Sum(v => v.GetProperty("metrics").GetProperty("read-records").GetInt64());
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            long first;
            while ((first = ReadRecords(await GetJsonAsync($"/jobs/{id}/metrics"))) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "No live metrics while the job runs.");
                await Task.Delay(200);
            }

            long later;
            while ((later = ReadRecords(await GetJsonAsync($"/jobs/{id}/metrics"))) <= first)
            {
                Assert.True(DateTime.UtcNow < deadline, "Live metrics did not grow.");
                await Task.Delay(200);
            }

            Assert.Equal("RUNNING", (await GetJsonAsync($"/jobs/{id}")).GetProperty("state").GetString());
        }
        finally
        {
            await _cluster.Dispatcher.CancelJobAsync(jobId);
        }
    }

    [Fact]
    public async Task RunningJobIsListedWithItsVerticesAndSubtasks()
    {
        var job = SlowJob();
        var jobId = await _cluster.Dispatcher.SubmitJobAsync(job);
        var id = jobId.ToString("N");

        var jobs = await GetJsonAsync("/jobs");
        Assert.Contains(jobs.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);

        // Deployment is asynchronous: poll until every subtask runs.
        JsonElement details = default;
        for (var i = 0; i < 100; i++)
        {
            details = await GetJsonAsync($"/jobs/{id}");
            var states = details.GetProperty("vertices").EnumerateArray()
                .SelectMany(v => v.GetProperty("subtasks").EnumerateArray()).Select(s => s.GetProperty("status").GetString()).ToList();
            if (states.Count > 0 && states.All(s => s == "RUNNING"))
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal("RUNNING", details.GetProperty("state").GetString());
        var vertices = details.GetProperty("vertices").EnumerateArray().ToList();
        Assert.Equal(2, vertices.Count); // generator -> map chained; rebalance starts the sink's vertex
        Assert.All(vertices, v => Assert.Equal(2, v.GetProperty("parallelism").GetInt32()));
        Assert.All(vertices.SelectMany(v => v.GetProperty("subtasks").EnumerateArray()),
            s => Assert.Equal("taskmanager-0", s.GetProperty("taskmanager-id").GetString()));

        var taskManagers = await GetJsonAsync("/taskmanagers");
        var taskManager = Assert.Single(taskManagers.GetProperty("taskmanagers").EnumerateArray());
        Assert.Equal(2, taskManager.GetProperty("slotsNumber").GetInt32());
        Assert.Equal(0, taskManager.GetProperty("freeSlots").GetInt32());

        using var cancel = await _http.PatchAsync($"/jobs/{id}?mode=cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var result = await _cluster.Dispatcher.RequestJobResultAsync(jobId).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Rill.Runtime.Messages.JobStatus.Canceled, result.Status);
        Assert.Equal("CANCELED", (await GetJsonAsync($"/jobs/{id}")).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("not-a-job-id", HttpStatusCode.BadRequest)]
    [InlineData("0123456789ABCDEF0123456789ABCDEF", HttpStatusCode.BadRequest)]
    [InlineData("0123456789abcdef0123456789abcdef", HttpStatusCode.NotFound)]
    public async Task JobIdsAreValidatedWithProblemDetails(string jobId, HttpStatusCode expected)
    {
        using var response = await _http.GetAsync($"/jobs/{jobId}");
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(jobId, problem.GetProperty("detail").GetString());
    }
}
