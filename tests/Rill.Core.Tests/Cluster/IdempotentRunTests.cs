using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rill.Graph;
using Rill.Runtime.Messages;
using Rill.Sinks;
using Rill.Tests.Artifacts;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Cluster;

/// <summary>
/// <c>POST /artifacts/{id}/run</c> with a client's <c>jobId</c> (Flink's jar-run field) is idempotent: a client whose
/// answer was lost sends the same run again and gets the same job, never a second one.
/// </summary>
[Collection("Cluster")]
public sealed class IdempotentRunTests : IAsyncLifetime
{
    private readonly TempDirectory _work = new();
    private InProcessSessionCluster _cluster = null!;
    private string _artifactId = null!;
    private string _input = null!;

    private HttpClient Http => _cluster.Http;

    public async Task InitializeAsync()
    {
        _cluster = await InProcessSessionCluster.StartAsync(_work, taskManagers: 1, slotsPerTaskManager: 2);
        _artifactId = await _cluster.UploadAsync(TestApplications.WordCount);
        _input = _work.Combine("input.txt");
        await File.WriteAllLinesAsync(_input, Enumerable.Range(0, 200).Select(i => $"to be or not to be {i % 7}"));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _work.Dispose();
    }

    [Fact]
    public async Task The_same_run_twice_is_one_job_under_the_clients_id()
    {
        var jobId = NewJobId();
        var body = Run(jobId, parallelism: 1);

        Assert.Equal(jobId, await RunExpectingJobAsync(body));
        Assert.Equal(jobId, await RunExpectingJobAsync(body));

        Assert.Equal([jobId], await JobIdsAsync());
        Assert.Equal("FINISHED", (await _cluster.WaitForJobEndAsync(jobId)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task The_run_of_a_finished_job_sent_again_answers_with_that_job_and_starts_none()
    {
        var jobId = NewJobId();
        var body = Run(jobId, parallelism: 1);
        Assert.Equal(jobId, await RunExpectingJobAsync(body));
        var finished = await _cluster.WaitForJobEndAsync(jobId);
        Assert.Equal("FINISHED", finished.GetProperty("state").GetString());

        Assert.Equal(jobId, await RunExpectingJobAsync(body));

        Assert.Equal([jobId], await JobIdsAsync());
        var after = await Http.GetFromJsonAsync<JsonElement>($"jobs/{jobId}");
        Assert.Equal("FINISHED", after.GetProperty("state").GetString());
        Assert.Equal(finished.GetProperty("start-time").GetInt64(), after.GetProperty("start-time").GetInt64());
    }

    [Fact]
    public async Task Identical_runs_at_the_same_time_get_one_job_and_the_same_answer()
    {
        var jobId = NewJobId();
        var body = Run(jobId, parallelism: 2);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RunExpectingJobAsync(body)));

        Assert.All(answers, answer => Assert.Equal(jobId, answer));
        Assert.Equal([jobId], await JobIdsAsync());
        Assert.Equal("FINISHED", (await _cluster.WaitForJobEndAsync(jobId)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Identical_runs_that_fail_at_the_same_time_get_the_same_error_and_leave_the_id_free()
    {
        var jobId = NewJobId();
        var failing = new { jobId, programArgsList = new[] { "--no-such-option" } };

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Http.PostAsJsonAsync($"artifacts/{_artifactId}/run", failing)));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode));
        var details = await Task.WhenAll(responses.Select(DetailAsync));
        Assert.Contains("no-such-option", details[0], StringComparison.Ordinal);
        Assert.All(details, detail => Assert.Equal(details[0], detail));
        Assert.Empty(await JobIdsAsync());

        // Nothing ran under the id, so a corrected run may have it.
        Assert.Equal(jobId, await RunExpectingJobAsync(Run(jobId, parallelism: 1)));
    }

    [Fact]
    public async Task The_same_id_with_other_settings_is_409_naming_what_differs()
    {
        var jobId = NewJobId();
        Assert.Equal(jobId, await RunExpectingJobAsync(Run(jobId, parallelism: 1)));

        var otherParallelism = await Http.PostAsJsonAsync($"artifacts/{_artifactId}/run", Run(jobId, parallelism: 2));
        Assert.Equal(HttpStatusCode.Conflict, otherParallelism.StatusCode);
        var detail = await DetailAsync(otherParallelism);
        Assert.Contains(jobId, detail, StringComparison.Ordinal);
        Assert.Contains("parallelism 1 before, 2 now", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("programArgsList", detail, StringComparison.Ordinal);

        var otherArguments = await Http.PostAsJsonAsync($"artifacts/{_artifactId}/run",
            new { jobId, programArgsList = new[] { "--input", _input, "--output", _work.Combine("elsewhere") }, parallelism = 1 });
        Assert.Equal(HttpStatusCode.Conflict, otherArguments.StatusCode);
        Assert.Contains("programArgsList", await DetailAsync(otherArguments), StringComparison.Ordinal);

        Assert.Equal([jobId], await JobIdsAsync());
        Assert.Equal("FINISHED", (await _cluster.WaitForJobEndAsync(jobId)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task The_id_of_a_job_not_started_by_a_run_is_409_and_that_job_is_left_alone()
    {
        // A job the Dispatcher got some other way, as an application-mode job: wider than the cluster, so it waits for slots.
        var env = TestJobs.Env(parallelism: 3);
        env.FromCollection([1, 2, 3]).SinkTo(new DiscardingSink<int>());
        var id = Guid.NewGuid();
        await _cluster.JobManager.Dispatcher.SubmitJobAsync(JobGraphGenerator.Create(env.GetStreamGraph("Not from an upload"), id));
        var jobId = JobIds.Format(id);

        var response = await Http.PostAsJsonAsync($"artifacts/{_artifactId}/run", Run(jobId, parallelism: 1));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains(jobId, await DetailAsync(response), StringComparison.Ordinal);
        var job = await Http.GetFromJsonAsync<JsonElement>($"jobs/{jobId}");
        Assert.Equal("Not from an upload", job.GetProperty("name").GetString());
        Assert.Equal("CREATED", job.GetProperty("state").GetString());
        Assert.Equal([jobId], await JobIdsAsync());
    }

    [Theory]
    [InlineData("not-a-job-id")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef")]
    public async Task A_malformed_job_id_is_400_naming_it(string jobId)
    {
        var response = await Http.PostAsJsonAsync($"artifacts/{_artifactId}/run", Run(jobId, parallelism: 1));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = await DetailAsync(response);
        Assert.Contains($"jobId '{jobId}'", detail, StringComparison.Ordinal);
        Assert.Contains("32 lowercase hexadecimal characters", detail, StringComparison.Ordinal);
        Assert.Empty(await JobIdsAsync());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_run_body_with_its_jobId()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync("openapi/v1.json"));

        var body = document.RootElement.GetProperty("paths").GetProperty("/artifacts/{artifactId}/run").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var schema = body.TryGetProperty("$ref", out var reference)
            ? document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : body;
        var jobId = schema.GetProperty("properties").GetProperty("jobId");
        Assert.Contains("retry", jobId.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private object Run(string jobId, int parallelism) =>
        new { jobId, programArgsList = new[] { "--input", _input, "--output", _work.Combine($"out-{jobId}") }, parallelism };

    /// <summary>Posts the run; it must answer 200 with a job id, which is returned.</summary>
    private async Task<string> RunExpectingJobAsync(object body)
    {
        var response = await Http.PostAsJsonAsync($"artifacts/{_artifactId}/run", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobid").GetString()!;
    }

    private async Task<List<string>> JobIdsAsync() =>
        (await Http.GetFromJsonAsync<JsonElement>("jobs")).GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()!).ToList();

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;

    private static string NewJobId() => JobIds.Format(Guid.NewGuid());
}
