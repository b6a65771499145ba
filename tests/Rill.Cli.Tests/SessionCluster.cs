using System.Text.Json;

namespace Rill.Cli.Tests;

/// <summary>
/// A session cluster of real processes: <c>rill jobmanager</c> on a free port, and as many <c>rill taskmanager</c>s
/// as a test adds. Disposing kills them all, whatever state the test left them in.
/// </summary>
internal sealed class SessionCluster : IAsyncDisposable
{
    // Generous: on a loaded two-core machine a JobManager's first start and a job's planning take seconds.
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(60);

    private readonly List<CliProcess> _taskManagers = [];

    private SessionCluster(CliProcess jobManager, int port)
    {
        JobManager = jobManager;
        Port = port;
        Url = $"http://127.0.0.1:{port}";
        Http = new HttpClient { BaseAddress = new Uri(Url + "/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public CliProcess JobManager { get; }

    public int Port { get; }

    /// <summary>The REST URL, as given to <c>--jobmanager</c>.</summary>
    public string Url { get; }

    /// <summary>For the test's own REST requests: what the CLI prints is checked against what the server says.</summary>
    public HttpClient Http { get; }

    /// <summary>Starts <c>rill jobmanager --port P</c> and returns once its REST API answers.</summary>
    /// <param name="authToken">Passed to the JobManager, and sent by <see cref="Http"/>.</param>
    /// <summary>A JobManager and one TaskManager with <paramref name="slots"/> slots, registered.</summary>
    public static async Task<SessionCluster> StartWithTaskManagerAsync(int slots)
    {
        var cluster = await StartAsync();
        try
        {
            var taskManager = cluster.AddTaskManager(slots);
            await cluster.WaitUntilAsync("the TaskManager is registered", async () => (await cluster.TaskManagersAsync()).Length == 1, taskManager);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The job's state as GET /jobs/{id} reports it.</summary>
    public async Task<string?> JobStateAsync(string jobId)
    {
        using var details = System.Text.Json.JsonDocument.Parse(await Http.GetStringAsync($"jobs/{jobId}"));
        return details.RootElement.GetProperty("state").GetString();
    }

    public static async Task<SessionCluster> StartAsync(string? authToken = null)
    {
        var port = FreePort.Next();
        string[] tokenArgs = authToken is null ? [] : ["--auth-token", authToken];
        var cluster = new SessionCluster(CliProcess.StartRill(["jobmanager", "--port", $"{port}", .. tokenArgs]), port);
        if (authToken is not null)
        {
            cluster.Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", authToken);
        }

        try
        {
            await cluster.WaitUntilAsync("GET /overview answers", async () => (await cluster.Http.GetAsync("overview")).IsSuccessStatusCode, cluster.JobManager);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public CliProcess AddTaskManager(int slots)
    {
        var taskManager = CliProcess.StartRill("taskmanager", "--jobmanager", Url, "--slots", $"{slots}");
        _taskManagers.Add(taskManager);
        return taskManager;
    }

    /// <summary>The REST API's <c>GET /taskmanagers</c> list.</summary>
    public async Task<JsonElement[]> TaskManagersAsync()
    {
        using var body = JsonDocument.Parse(await Http.GetStringAsync("taskmanagers"));
        return body.RootElement.GetProperty("taskmanagers").EnumerateArray().Select(t => t.Clone()).ToArray();
    }

    /// <summary>Polls <paramref name="condition"/>; fails with the processes' output when it stays false or one of them dies.</summary>
    public Task WaitUntilAsync(string what, Func<Task<bool>> condition, params CliProcess[] mustKeepRunning) =>
        WaitUntilAsync(what, WaitTimeout, condition, mustKeepRunning);

    public async Task WaitUntilAsync(string what, TimeSpan timeout, Func<Task<bool>> condition, params CliProcess[] mustKeepRunning)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var process in mustKeepRunning.Append(JobManager).Distinct())
            {
                if (process.HasExited)
                {
                    Assert.Fail($"{process.CommandLine} exited while waiting until {what}.\n{await process.OutputSoFarAsync()}");
                }
            }

            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout.TotalSeconds} s: {what}.\n{await JobManager.OutputSoFarAsync()}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>TaskManagers first, so none of them spends its last seconds looking for a JobManager that is gone.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var process in _taskManagers.Append(JobManager))
        {
            await process.StopAsync(TimeSpan.FromSeconds(10));
            process.Dispose();
        }

        Http.Dispose();
    }
}
