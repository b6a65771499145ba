using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
    private InProcessSessionCluster _cluster = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _cluster = await InProcessSessionCluster.StartAsync(_work, taskManagers: 2, slotsPerTaskManager: 2);
        _http = _cluster.Http;
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
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

    private Task<string> UploadAsync(string application) => _cluster.UploadAsync(application);

    private Task<JsonElement> WaitForJobEndAsync(string jobId) => _cluster.WaitForJobEndAsync(jobId);

    private static Task WaitForAsync(Func<Task<bool>> condition, TimeSpan? timeout = null) => InProcessSessionCluster.WaitForAsync(condition, timeout);
}
