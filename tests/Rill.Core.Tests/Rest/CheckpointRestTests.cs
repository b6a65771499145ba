using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rill.Api;
using Rill.Checkpointing;
using Rill.EventTime;
using Rill.Runtime.Checkpoint;
using Rill.Runtime.Entrypoint;
using Rill.Runtime.MiniCluster;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.Artifacts;

namespace Rill.Tests.Rest;

/// <summary>
/// Checkpoints, savepoints and stop-with-savepoint through the REST API with Flink's paths and bodies, against an
/// embedded cluster running an unbounded keyed job that checkpoints every 100 ms.
/// </summary>
public sealed class CheckpointRestTests : IAsyncLifetime
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _work = new();
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
        _work.Dispose();
    }

    [Fact]
    public async Task Checkpoints_of_a_running_job_are_counted_with_their_sizes_and_durations()
    {
        var id = await StartJobAsync(checkpointing: true);

        var stats = await WaitForCompletedCheckpointAsync(id);

        var counts = stats.GetProperty("counts");
        var completed = counts.GetProperty("completed").GetInt32();
        Assert.True(completed >= 1);
        Assert.Equal(completed + counts.GetProperty("failed").GetInt32() + counts.GetProperty("in_progress").GetInt32(), counts.GetProperty("total").GetInt32());
        Assert.Equal(0, counts.GetProperty("restored").GetInt32());

        var latest = stats.GetProperty("latest");
        Assert.Equal(JsonValueKind.Null, latest.GetProperty("restored").ValueKind);
        Assert.Equal(JsonValueKind.Null, latest.GetProperty("savepoint").ValueKind);
        var checkpoint = latest.GetProperty("completed");
        Assert.Equal("COMPLETED", checkpoint.GetProperty("status").GetString());
        Assert.Equal("CHECKPOINT", checkpoint.GetProperty("checkpoint_type").GetString());
        Assert.False(checkpoint.GetProperty("is_savepoint").GetBoolean());
        // Keyed sums and source positions are state: a completed checkpoint of this job is never empty.
        Assert.True(checkpoint.GetProperty("state_size").GetInt64() > 0, checkpoint.ToString());
        Assert.Equal(checkpoint.GetProperty("state_size").GetInt64(), checkpoint.GetProperty("checkpointed_size").GetInt64());
        Assert.True(checkpoint.GetProperty("sync_duration").GetInt64() >= 0);
        Assert.True(checkpoint.GetProperty("async_duration").GetInt64() >= 0);
        Assert.True(checkpoint.GetProperty("end_to_end_duration").GetInt64() >= 0);
        Assert.True(checkpoint.GetProperty("latest_ack_timestamp").GetInt64() >= checkpoint.GetProperty("trigger_timestamp").GetInt64());

        // Every subtask of every vertex acknowledges a completed checkpoint.
        var details = await _http.GetFromJsonAsync<JsonElement>($"jobs/{id}");
        var subtasks = details.GetProperty("vertices").EnumerateArray().Sum(v => v.GetProperty("parallelism").GetInt32());
        Assert.Equal(subtasks, checkpoint.GetProperty("num_subtasks").GetInt32());
        Assert.Equal(subtasks, checkpoint.GetProperty("num_acknowledged_subtasks").GetInt32());
        Assert.StartsWith(_work.Combine("checkpoints"), checkpoint.GetProperty("external_path").GetString());

        var history = stats.GetProperty("history").EnumerateArray().ToList();
        Assert.Contains(history, h => h.GetProperty("id").GetInt64() == checkpoint.GetProperty("id").GetInt64() && h.GetProperty("status").GetString() == "COMPLETED");
        Assert.All(history, h => Assert.Contains(h.GetProperty("status").GetString(), new[] { "IN_PROGRESS", "COMPLETED", "FAILED" }));
    }

    [Fact]
    public async Task A_savepoint_is_triggered_polled_and_written_while_the_job_keeps_running()
    {
        var id = await StartJobAsync(checkpointing: true);
        await WaitForCompletedCheckpointAsync(id);
        var target = _work.Combine("savepoints");

        using var trigger = await _http.PostAsJsonAsync($"jobs/{id}/savepoints", new Dictionary<string, object?> { ["target-directory"] = target, ["cancel-job"] = false });

        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        var requestId = (await trigger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request-id").GetString()!;
        var location = await WaitForSavepointAsync(id, requestId);
        Assert.Equal(target, Path.GetDirectoryName(location));
        Assert.True(File.Exists(Path.Combine(location, "_metadata")), $"{location} has no _metadata.");
        var savepoint = CheckpointMetadata.Read(location);
        Assert.Equal(Guid.ParseExact(id, "N"), savepoint.JobId);
        Assert.True(savepoint.Kind.IsSavepoint());

        var stats = await _http.GetFromJsonAsync<JsonElement>($"jobs/{id}/checkpoints");
        var latestSavepoint = stats.GetProperty("latest").GetProperty("savepoint");
        Assert.Equal(savepoint.CheckpointId, latestSavepoint.GetProperty("id").GetInt64());
        Assert.Equal("SAVEPOINT", latestSavepoint.GetProperty("checkpoint_type").GetString());
        Assert.True(latestSavepoint.GetProperty("is_savepoint").GetBoolean());
        Assert.Equal(location, latestSavepoint.GetProperty("external_path").GetString());
        Assert.Equal("RUNNING", await StateAsync(id));

        // The outcome stays readable: a client that lost the answer asks again.
        Assert.Equal(location, await WaitForSavepointAsync(id, requestId));
    }

    [Fact]
    public async Task Stop_with_savepoint_writes_a_savepoint_and_the_job_finishes()
    {
        var id = await StartJobAsync(checkpointing: true);
        await WaitForCompletedCheckpointAsync(id);
        var target = _work.Combine("stopped");

        using var stop = await _http.PostAsJsonAsync($"jobs/{id}/stop", new Dictionary<string, object?> { ["targetDirectory"] = target, ["drain"] = false });

        Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
        var requestId = (await stop.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request-id").GetString()!;
        var location = await WaitForSavepointAsync(id, requestId);
        Assert.Equal(target, Path.GetDirectoryName(location));
        Assert.True(File.Exists(Path.Combine(location, "_metadata")), $"{location} has no _metadata.");
        await WaitUntilAsync("the job is FINISHED", async () => await StateAsync(id) == "FINISHED");
        var stats = await _http.GetFromJsonAsync<JsonElement>($"jobs/{id}/checkpoints");
        Assert.Equal("SYNC_SAVEPOINT", stats.GetProperty("latest").GetProperty("savepoint").GetProperty("checkpoint_type").GetString());

        // An ended job takes no savepoint: 409 with the reason.
        using var late = await _http.PostAsJsonAsync($"jobs/{id}/savepoints", new Dictionary<string, object?>());
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("FINISHED", await DetailAsync(late));
    }

    [Fact]
    public async Task A_savepoint_that_fails_reports_its_cause_and_the_job_keeps_running()
    {
        var id = await StartJobAsync(checkpointing: true);
        await WaitForCompletedCheckpointAsync(id);
        // A file where the savepoint's parent directory should be: the directory cannot be created.
        var blocker = _work.Combine("not-a-directory");
        await File.WriteAllTextAsync(blocker, "x");

        using var trigger = await _http.PostAsJsonAsync($"jobs/{id}/savepoints", new Dictionary<string, object?> { ["target-directory"] = Path.Combine(blocker, "savepoints") });

        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        var requestId = (await trigger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request-id").GetString()!;
        var status = await WaitForOperationAsync(id, requestId);
        var cause = status.GetProperty("operation").GetProperty("failure-cause");
        Assert.Equal(typeof(CheckpointException).FullName, cause.GetProperty("class").GetString());
        Assert.Contains("not-a-directory", cause.GetProperty("stack-trace").GetString());
        Assert.False(status.GetProperty("operation").TryGetProperty("location", out _));
        Assert.Equal("RUNNING", await StateAsync(id));
    }

    [Fact]
    public async Task A_job_without_checkpointing_has_no_checkpoint_statistics_and_takes_no_savepoints()
    {
        var id = await StartJobAsync(checkpointing: false);

        using var checkpoints = await _http.GetAsync($"jobs/{id}/checkpoints");
        Assert.Equal(HttpStatusCode.NotFound, checkpoints.StatusCode);
        Assert.Contains("Checkpointing has not been enabled", await DetailAsync(checkpoints));

        using var savepoint = await _http.PostAsJsonAsync($"jobs/{id}/savepoints", new Dictionary<string, object?>());
        Assert.Equal(HttpStatusCode.BadRequest, savepoint.StatusCode);
        Assert.Contains("Checkpointing has not been enabled", await DetailAsync(savepoint));

        using var stop = await _http.PostAsJsonAsync($"jobs/{id}/stop", new Dictionary<string, object?>());
        Assert.Equal(HttpStatusCode.BadRequest, stop.StatusCode);
        Assert.Equal("RUNNING", await StateAsync(id));
    }

    [Fact]
    public async Task Requests_that_cannot_be_served_are_refused_with_the_reason()
    {
        var id = await StartJobAsync(checkpointing: true);
        const string unknownJob = "0123456789abcdef0123456789abcdef";

        await AssertProblemAsync(await _http.GetAsync($"jobs/{id}/savepoints/{Guid.NewGuid():N}"), HttpStatusCode.NotFound, "No savepoint operation");
        await AssertProblemAsync(await _http.GetAsync($"jobs/{id}/savepoints/not-a-request-id"), HttpStatusCode.NotFound, "not-a-request-id");
        await AssertProblemAsync(await _http.GetAsync($"jobs/{unknownJob}/checkpoints"), HttpStatusCode.NotFound, unknownJob);
        await AssertProblemAsync(await _http.GetAsync("jobs/NOT-A-JOB/checkpoints"), HttpStatusCode.BadRequest, "NOT-A-JOB");
        await AssertProblemAsync(await _http.PostAsJsonAsync($"jobs/{unknownJob}/savepoints", new Dictionary<string, object?>()), HttpStatusCode.NotFound, unknownJob);
        await AssertProblemAsync(await _http.PostAsJsonAsync($"jobs/{unknownJob}/stop", new Dictionary<string, object?>()), HttpStatusCode.NotFound, unknownJob);
        await AssertProblemAsync(await _http.GetAsync($"jobs/NOT-A-JOB/savepoints/{Guid.NewGuid():N}"), HttpStatusCode.BadRequest, "NOT-A-JOB");
        await AssertProblemAsync(await _http.PostAsJsonAsync($"jobs/{id}/stop", new Dictionary<string, object?> { ["drain"] = true }), HttpStatusCode.BadRequest, "drain");
        await AssertProblemAsync(await _http.PostAsJsonAsync($"jobs/{id}/savepoints", new Dictionary<string, object?> { ["target-directory"] = "relative/dir" }),
            HttpStatusCode.BadRequest, "relative/dir");
        await AssertProblemAsync(await _http.PostAsJsonAsync($"jobs/{id}/savepoints", new Dictionary<string, object?> { ["targetDirectory"] = "/tmp/x" }),
            HttpStatusCode.BadRequest, "targetDirectory");
        Assert.Equal("RUNNING", await StateAsync(id));
    }

    [Fact]
    public async Task A_retried_trigger_with_the_same_trigger_id_takes_one_savepoint()
    {
        var id = await StartJobAsync(checkpointing: true);
        await WaitForCompletedCheckpointAsync(id);
        var triggerId = Guid.NewGuid().ToString("N");
        var body = new Dictionary<string, object?> { ["target-directory"] = _work.Combine("once"), ["triggerId"] = triggerId };

        using var first = await _http.PostAsJsonAsync($"jobs/{id}/savepoints", body);
        using var second = await _http.PostAsJsonAsync($"jobs/{id}/savepoints", body);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(triggerId, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request-id").GetString());
        await WaitForSavepointAsync(id, triggerId);
        Assert.Single(Directory.GetDirectories(_work.Combine("once")));
    }

    [Fact]
    public async Task Running_an_artifact_from_a_savepoint_that_is_not_there_is_a_bad_request_naming_the_path()
    {
        await using var jobManager = new JobManagerRunner(
            new JobManagerConfiguration { RestPort = 0, ArtifactDirectory = _work.Combine("artifacts") }, JobManagerRunner.NewStaticFencingToken());
        await jobManager.StartAsync();
        using var http = new HttpClient { BaseAddress = jobManager.RestAddress };
        using var upload = new MultipartFormDataContent { { new StreamContent(TestApplications.Zip(TestApplications.WordCount)), "file", "WordCount.zip" } };
        using var uploaded = await http.PostAsync("artifacts", upload);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        var artifactId = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var missing = _work.Combine("no-such-savepoint");
        var notASavepoint = Directory.CreateDirectory(_work.Combine("empty")).FullName;

        await AssertProblemAsync(await http.PostAsJsonAsync($"artifacts/{artifactId}/run", new { savepointPath = missing }), HttpStatusCode.BadRequest, missing);
        await AssertProblemAsync(await http.PostAsJsonAsync($"artifacts/{artifactId}/run", new { savepointPath = notASavepoint, allowNonRestoredState = true }),
            HttpStatusCode.BadRequest, "_metadata");
        await AssertProblemAsync(await http.PostAsJsonAsync($"artifacts/{artifactId}/run", new { allowNonRestoredState = true }), HttpStatusCode.BadRequest, "savepointPath");
        Assert.Empty((await http.GetFromJsonAsync<JsonElement>("jobs")).GetProperty("jobs").EnumerateArray());
    }

    /// <summary>Submits an unbounded keyed sum (rate-limited, so it runs until stopped) and waits until its tasks run.</summary>
    private async Task<string> StartJobAsync(bool checkpointing)
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(2);
        if (checkpointing)
        {
            env.EnableCheckpointing(TimeSpan.FromMilliseconds(100));
            env.ConfigureCheckpointing(c => c with { Directory = _work.Combine("checkpoints") });
        }

        env.FromSource(new DataGeneratorSource<long>(i => i, count: null, recordsPerSecond: 2_000), WatermarkStrategy<long>.NoWatermarks(), "Numbers")
            .KeyBy(x => x % 16)
            .Reduce((a, b) => a + b).Name("Sum per Key")
            .SinkTo(new DiscardingSink<long>(), "Discard");
        var jobId = await _cluster.Dispatcher.SubmitJobAsync(env.GetJobGraph(checkpointing ? "checkpointed sum" : "unchecked sum"));
        var id = jobId.ToString("N");
        await WaitUntilAsync("every subtask runs", async () =>
        {
            var details = await _http.GetFromJsonAsync<JsonElement>($"jobs/{id}");
            var states = details.GetProperty("vertices").EnumerateArray().SelectMany(v => v.GetProperty("subtasks").EnumerateArray())
                .Select(s => s.GetProperty("status").GetString()).ToList();
            return states.Count > 0 && states.All(s => s == "RUNNING");
        });
        return id;
    }

    private async Task<JsonElement> WaitForCompletedCheckpointAsync(string id)
    {
        JsonElement stats = default;
        await WaitUntilAsync("a checkpoint completes", async () =>
        {
            stats = await _http.GetFromJsonAsync<JsonElement>($"jobs/{id}/checkpoints");
            return stats.GetProperty("counts").GetProperty("completed").GetInt32() >= 1;
        });
        return stats;
    }

    /// <summary>Polls the operation until it is COMPLETED and returns its location; fails with the cause if it failed.</summary>
    private async Task<string> WaitForSavepointAsync(string id, string requestId)
    {
        var status = await WaitForOperationAsync(id, requestId);
        var operation = status.GetProperty("operation");
        Assert.False(operation.TryGetProperty("failure-cause", out var cause), $"The savepoint failed: {cause}");
        return operation.GetProperty("location").GetString()!;
    }

    private async Task<JsonElement> WaitForOperationAsync(string id, string requestId)
    {
        JsonElement status = default;
        await WaitUntilAsync($"savepoint operation {requestId} completes", async () =>
        {
            status = await _http.GetFromJsonAsync<JsonElement>($"jobs/{id}/savepoints/{requestId}");
            var state = status.GetProperty("status").GetProperty("id").GetString();
            Assert.Contains(state, new[] { "IN_PROGRESS", "COMPLETED" });
            return state == "COMPLETED";
        });
        return status;
    }

    private async Task<string?> StateAsync(string id) => (await _http.GetFromJsonAsync<JsonElement>($"jobs/{id}")).GetProperty("state").GetString();

    private static async Task WaitUntilAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + WaitTimeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within {WaitTimeout.TotalSeconds} s: {what}.");
            await Task.Delay(50);
        }
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string detailContains)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {expected}, got {response.StatusCode}: {body}");
            Assert.Contains(detailContains, await DetailAsync(response));
        }
    }
}
