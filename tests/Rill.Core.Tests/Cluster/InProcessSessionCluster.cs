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
/// TCP between TaskManagers, the REST API for uploads and runs, and real applications planned in load contexts.
/// </summary>
internal sealed class InProcessSessionCluster : IAsyncDisposable
{
    private readonly List<(TaskManagerRunner Runner, SessionJobGraphs Programs)> _taskManagers = [];

    private InProcessSessionCluster(JobManagerRunner jobManager)
    {
        JobManager = jobManager;
        Http = new HttpClient { BaseAddress = jobManager.RestAddress };
    }

    public JobManagerRunner JobManager { get; }

    public HttpClient Http { get; }

    /// <summary>A JobManager with its artifacts under <paramref name="work"/> and registered TaskManagers named tm-0, tm-1, ….</summary>
    public static async Task<InProcessSessionCluster> StartAsync(TempDirectory work, int taskManagers, int slotsPerTaskManager)
    {
        var jobManager = new JobManagerRunner(new JobManagerConfiguration { RestPort = 0, ArtifactDirectory = work.Combine("artifacts"), MaxUploadBytes = 64L * 1024 * 1024 },
            JobManagerRunner.NewStaticFencingToken());
        try
        {
            await jobManager.StartAsync();
        }
        catch
        {
            await jobManager.DisposeAsync();
            throw;
        }

        var cluster = new InProcessSessionCluster(jobManager);
        try
        {
            for (var i = 0; i < taskManagers; i++)
            {
                var configuration = new TaskManagerConfiguration { TaskManagerId = $"tm-{i}", NumberOfSlots = slotsPerTaskManager };
                var programs = new SessionJobGraphs(new RestLeaderRetrieval(jobManager.RestAddress), null, work.Combine($"tm-{i}"));
                var runner = new TaskManagerRunner(configuration, new RestLeaderRetrieval(jobManager.RestAddress), programs.ResolveAsync);
                runner.JobEnded += programs.Release;
                await runner.StartAsync();
                cluster._taskManagers.Add((runner, programs));
            }

            await WaitForAsync(async () => (await cluster.Http.GetFromJsonAsync<JsonElement>("taskmanagers")).GetProperty("taskmanagers").GetArrayLength() == taskManagers);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Uploads the application's build output; returns the artifact id.</summary>
    public async Task<string> UploadAsync(string application)
    {
        using var zip = TestApplications.Zip(application);
        using var form = new MultipartFormDataContent { { new StreamContent(zip), "file", application + ".zip" } };
        var response = await Http.PostAsync("artifacts", form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>GET /jobs/{id} once the job is FINISHED, FAILED or CANCELED.</summary>
    public async Task<JsonElement> WaitForJobEndAsync(string jobId)
    {
        JsonElement job = default;
        await WaitForAsync(async () =>
        {
            job = await Http.GetFromJsonAsync<JsonElement>($"jobs/{jobId}");
            return job.GetProperty("state").GetString() is "FINISHED" or "FAILED" or "CANCELED";
        }, TimeSpan.FromSeconds(60));
        return job;
    }

    public static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the cluster.");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (runner, programs) in _taskManagers)
        {
            await runner.DisposeAsync();
            await programs.DisposeAsync();
        }

        await JobManager.DisposeAsync();
        Http.Dispose();
    }
}
