using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rill.Runtime.Artifacts;
using Rill.Runtime.Entrypoint;
using Rill.Runtime.HighAvailability;
using Rill.Runtime.TaskExecutor;
using Rill.Tests.Artifacts;

namespace Rill.Tests.Cluster;

/// <summary>
/// A session cluster in this test process, but with every boundary real: gRPC between JobManager and TaskManagers,
/// TCP between TaskManagers, the REST API for uploads and runs, and a real sample application planned in load contexts.
/// </summary>
[Collection("Cluster")]
public sealed class SessionClusterTests : IAsyncLifetime
{
    private readonly TempDirectory _work = new();
    private JobManagerRunner _jobManager = null!;
    private readonly List<(TaskManagerRunner Runner, SessionJobGraphs Programs)> _taskManagers = [];
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _jobManager = new JobManagerRunner(new JobManagerConfiguration { RestPort = 0, ArtifactDirectory = _work.Combine("artifacts"), MaxUploadBytes = 64L * 1024 * 1024 },
            JobManagerRunner.NewStaticFencingToken());
        await _jobManager.StartAsync();
        _http = new HttpClient { BaseAddress = _jobManager.RestAddress };
        for (var i = 0; i < 2; i++)
        {
            var configuration = new TaskManagerConfiguration { TaskManagerId = $"tm-{i}", NumberOfSlots = 2 };
            var programs = new SessionJobGraphs(new RestLeaderRetrieval(_jobManager.RestAddress), null, _work.Combine($"tm-{i}"));
            var runner = new TaskManagerRunner(configuration, new RestLeaderRetrieval(_jobManager.RestAddress), programs.ResolveAsync);
            runner.JobEnded += programs.Release;
            await runner.StartAsync();
            _taskManagers.Add((runner, programs));
        }

        await WaitForAsync(async () => (await _http.GetFromJsonAsync<JsonElement>("taskmanagers")).GetProperty("taskmanagers").GetArrayLength() == 2);
    }

    public async Task DisposeAsync()
    {
        foreach (var (runner, programs) in _taskManagers)
        {
            await runner.DisposeAsync();
            await programs.DisposeAsync();
        }

        await _jobManager.DisposeAsync();
        _http.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task Uploaded_WordCount_runs_over_two_TaskManagers_with_the_embedded_result()
    {
        var input = _work.Combine("input.txt");
        await File.WriteAllLinesAsync(input, Enumerable.Range(0, 3000).Select(i => $"to be or not to be {i % 17} line{i % 5}"));
        var output = _work.Combine("out");

        var artifactId = await UploadAsync(TestApplications.WordCount);
        var run = await _http.PostAsJsonAsync($"artifacts/{artifactId}/run",
            new { programArgsList = new[] { "--input", input, "--output", output }, parallelism = 4 });
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        var jobId = (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobid").GetString()!;

        var job = await WaitForJobEndAsync(jobId);
        Assert.Equal("FINISHED", job.GetProperty("state").GetString());
        var subtasks = job.GetProperty("vertices").EnumerateArray().SelectMany(v => v.GetProperty("subtasks").EnumerateArray()).ToList();
        Assert.Equal(["tm-0", "tm-1"], subtasks.Select(s => s.GetProperty("taskmanager-id").GetString()).Distinct().Order());
        var metrics = await _http.GetFromJsonAsync<JsonElement>($"jobs/{jobId}/metrics");
        Assert.True(metrics.GetProperty("vertices").EnumerateArray().Sum(v => v.GetProperty("metrics").GetProperty("read-bytes-remote").GetInt64()) > 0);

        var expected = File.ReadAllLines(input).SelectMany(l => l.Split(' ')).GroupBy(w => w).Select(g => $"{g.Key}\t{g.Count()}").Order(StringComparer.Ordinal);
        var actual = Directory.GetFiles(output, "part-*").SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Run_errors_are_problem_details_with_the_right_status()
    {
        var unknown = await _http.PostAsJsonAsync($"artifacts/{new string('a', 32)}/run", new { });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var artifactId = await UploadAsync(TestApplications.WordCount);
        var malformed = await _http.PostAsync($"artifacts/{artifactId}/run", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        var badArguments = await _http.PostAsJsonAsync($"artifacts/{artifactId}/run", new { programArgsList = new[] { "--no-such-option" } });
        Assert.Equal(HttpStatusCode.BadRequest, badArguments.StatusCode);
        var detail = (await badArguments.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.True(detail!.Contains("no-such-option", StringComparison.Ordinal), detail);

        using var notAZip = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "app.zip" } };
        var rejected = await _http.PostAsync("artifacts", notAZip);
        Assert.True(rejected.StatusCode == HttpStatusCode.BadRequest, await rejected.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_job_wider_than_the_cluster_waits_for_resources_without_harming_the_JobManager()
    {
        var input = _work.Combine("small.txt");
        await File.WriteAllLinesAsync(input, ["a b c"]);
        var artifactId = await UploadAsync(TestApplications.WordCount);
        var run = await _http.PostAsJsonAsync($"artifacts/{artifactId}/run",
            new { programArgsList = new[] { "--input", input, "--output", _work.Combine("wide-out") }, parallelism = 8 });
        var jobId = (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobid").GetString()!;

        await WaitForAsync(async () =>
        {
            var job = await _http.GetFromJsonAsync<JsonElement>($"jobs/{jobId}");
            var resources = job.GetProperty("resources");
            return job.GetProperty("state").GetString() == "CREATED"
                && resources.GetProperty("waiting-for-resources").GetBoolean()
                && resources.GetProperty("required-slots").GetInt32() == 8;
        });
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("overview")).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await _http.PatchAsync($"jobs/{jobId}?mode=cancel", null)).StatusCode);
        Assert.Equal("CANCELED", (await WaitForJobEndAsync(jobId)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task An_upload_over_the_limit_gets_413()
    {
        using var huge = new MultipartFormDataContent { { new ByteArrayContent(new byte[65 * 1024 * 1024]), "file", "huge.zip" } };
        // As a well-behaved client does for a big body: the server can refuse it before any of it is sent.
        using var request = new HttpRequestMessage(HttpMethod.Post, "artifacts") { Content = huge };
        request.Headers.ExpectContinue = true;
        var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    private async Task<string> UploadAsync(string application)
    {
        using var zip = TestApplications.Zip(application);
        using var form = new MultipartFormDataContent { { new StreamContent(zip), "file", application + ".zip" } };
        var response = await _http.PostAsync("artifacts", form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> WaitForJobEndAsync(string jobId)
    {
        JsonElement job = default;
        await WaitForAsync(async () =>
        {
            job = await _http.GetFromJsonAsync<JsonElement>($"jobs/{jobId}");
            return job.GetProperty("state").GetString() is "FINISHED" or "FAILED" or "CANCELED";
        }, TimeSpan.FromSeconds(60));
        return job;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the cluster.");
            await Task.Delay(100);
        }
    }
}
