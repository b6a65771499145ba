using System.Net.Http.Json;
using System.Text.Json;
using Rill.Checkpointing;
using Rill.Runtime.Checkpoint;
using Rill.Runtime.Entrypoint;
using Rill.Runtime.HighAvailability;
using Rill.Runtime.TaskExecutor;
using Rill.Tests.Artifacts;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Cluster;

/// <summary>
/// A session cluster with Redis HA in this test process (real redis-server, gRPC, TCP): the leader JobManager stops
/// while a job runs, the standby is elected, resumes the job from the job store (planning the stored upload again) and
/// the job finishes with the full result.
/// </summary>
[Collection("Cluster")]
public sealed class SessionHighAvailabilityTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly TempDirectory _work = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        _work.Dispose();
    }

    [Fact]
    public async Task A_standby_JobManager_resumes_a_session_job_when_the_leader_stops()
    {
        const string clusterId = "session-ha";
        var artifacts = _work.Combine("artifacts"); // shared by both JobManagers, as --artifact-dir would be
        var configuration = new JobManagerConfiguration { RestPort = 0 };
        await using var services = await RedisHighAvailabilityServices.ConnectAsync(_redis.Address, clusterId);
        var retrieval = new HighAvailabilityLeaderRetrieval(services);

        using var stopLeader = new CancellationTokenSource();
        using var stopStandby = new CancellationTokenSource();
        using var stopTaskManagers = new CancellationTokenSource();
        var leader = SessionClusterEntrypoint.RunJobManagerAsync(configuration, artifacts, stopLeader.Token, _redis.Address, clusterId);
        var first = await WaitForLeaderAsync(retrieval, previous: null);
        var standby = SessionClusterEntrypoint.RunJobManagerAsync(configuration, artifacts, stopStandby.Token, _redis.Address, clusterId);
        var taskManagers = Enumerable.Range(0, 2).Select(i => SessionClusterEntrypoint.RunTaskManagerAsync(
            new TaskManagerConfiguration { TaskManagerId = $"ha-tm-{i}", NumberOfSlots = 2 }, _redis.Address, clusterId, null, stopTaskManagers.Token)).ToList();
        try
        {
            var input = _work.Combine("input.txt");
            await File.WriteAllLinesAsync(input, Enumerable.Range(0, 1200).Select(i => $"alpha beta {i % 7} gamma{i % 3}"));
            var output = _work.Combine("out");

            using var http = new HttpClient { BaseAddress = new Uri(first.RestAddress) };
            await WaitUntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>("taskmanagers")).GetProperty("taskmanagers").GetArrayLength() == 2);
            using var zip = TestApplications.Zip(TestApplications.WordCount);
            using var form = new MultipartFormDataContent { { new StreamContent(zip), "file", "WordCount.zip" } };
            var artifactId = (await (await http.PostAsync("artifacts", form)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            // 1200 lines over 4 subtasks at 50 lines/s each: about 6 s, long enough to stop the leader in the middle.
            var runBody = new { jobId = Guid.NewGuid().ToString("N"), programArgsList = new[] { "--input", input, "--output", output, "--lines-per-second", "50" }, parallelism = 4 };
            var run = await http.PostAsJsonAsync($"artifacts/{artifactId}/run", runBody);
            var jobId = (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobid").GetString()!;
            Assert.Equal(runBody.jobId, jobId);
            await WaitUntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"jobs/{jobId}")).GetProperty("state").GetString() == "RUNNING");
            Assert.Contains(await services.GetJobsAsync(), j => j.JobId == Guid.ParseExact(jobId, "N"));

            await stopLeader.CancelAsync();
            await leader;
            var second = await WaitForLeaderAsync(retrieval, first);
            Assert.True(second.FencingToken > first.FencingToken);

            using var standbyHttp = new HttpClient { BaseAddress = new Uri(second.RestAddress) };
            JsonElement job = default;
            await WaitUntilAsync(async () =>
            {
                var response = await standbyHttp.GetAsync($"jobs/{jobId}");
                if (!response.IsSuccessStatusCode)
                {
                    return false; // not resumed yet
                }

                job = await response.Content.ReadFromJsonAsync<JsonElement>();
                return job.GetProperty("state").GetString() is "FINISHED" or "FAILED" or "CANCELED";
            }, TimeSpan.FromSeconds(90));
            Assert.Equal("FINISHED", job.GetProperty("state").GetString());

            var expected = File.ReadAllLines(input).SelectMany(l => l.Split(' ')).GroupBy(w => w).Select(g => $"{g.Key}\t{g.Count()}").Order(StringComparer.Ordinal);
            Assert.Equal(expected, Directory.GetFiles(output, "part-*").SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal));
            await WaitUntilAsync(async () => (await services.GetJobResultAsync(Guid.ParseExact(jobId, "N")))?.Status == "Finished");
            Assert.DoesNotContain(await services.GetJobsAsync(), j => j.JobId == Guid.ParseExact(jobId, "N"));

            // The client's retry of the run, had its answer been lost, reaches the new leader: the resumed job is its job.
            var retry = await standbyHttp.PostAsJsonAsync($"artifacts/{artifactId}/run", runBody);
            Assert.True(retry.IsSuccessStatusCode, await retry.Content.ReadAsStringAsync());
            Assert.Equal(jobId, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobid").GetString());
            var jobs = (await standbyHttp.GetFromJsonAsync<JsonElement>("jobs")).GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()).ToList();
            Assert.Equal([jobId], jobs);
        }
        finally
        {
            await stopTaskManagers.CancelAsync();
            await stopStandby.CancelAsync();
            await stopLeader.CancelAsync();
            await Task.WhenAll([.. taskManagers, standby, leader]);
        }
    }

    [Fact]
    public Task A_run_under_the_id_of_a_job_that_ended_under_an_earlier_leader_is_409_and_starts_nothing() =>
        WithOneJobManagerAsync("session-ha-ended", async (services, leader, http, artifactId) =>
        {
            // What an earlier leader leaves of a job that ended: its outcome in the result store, nothing in the job store.
            var ended = Guid.NewGuid();
            await services.PutJobResultAsync(leader.FencingToken, new JobResultEntry(ended, "Finished", 1000, new Dictionary<string, long>(), null, null, DateTimeOffset.UtcNow));

            var run = await http.PostAsJsonAsync($"artifacts/{artifactId}/run",
                new { jobId = ended.ToString("N"), programArgsList = new[] { "--output", _work.Combine("out") }, parallelism = 1 });

            Assert.Equal(System.Net.HttpStatusCode.Conflict, run.StatusCode);
            Assert.Contains("earlier JobManager leader", (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("jobs")).GetProperty("jobs").GetArrayLength());
            Assert.Empty(await services.GetJobsAsync());
        });

    [Fact]
    public Task A_run_whose_savepoint_the_Dispatcher_refuses_leaves_nothing_in_the_job_store() =>
        WithOneJobManagerAsync("session-ha-refused", async (services, _, http, artifactId) =>
        {
            // A well-formed savepoint whose state belongs to an operator this program does not have: the run's own checks
            // pass, and the Dispatcher refuses it once the program is planned (and, with HA, its submission persisted).
            var savepoint = _work.Combine("foreign-savepoint");
            Directory.CreateDirectory(savepoint);
            var stateFile = Path.Combine(savepoint, "state");
            await File.WriteAllBytesAsync(stateFile, [1, 2, 3, 4]);
            var foreign = new OperatorState("no-such-operator", "Foreign", 1, 128,
                [new OperatorSubtaskState("no-such-operator", [], [new OperatorListState("positions", OperatorStateDistribution.Split, [new StateSlice(stateFile, 0, 4)])])]);
            CheckpointMetadata.Write(new CompletedCheckpoint(Guid.NewGuid(), 7, DateTimeOffset.UtcNow, CheckpointKind.Savepoint, savepoint, [foreign], new Dictionary<string, byte[]>()));

            var run = await http.PostAsJsonAsync($"artifacts/{artifactId}/run",
                new { jobId = Guid.NewGuid().ToString("N"), programArgsList = new[] { "--output", _work.Combine("out") }, parallelism = 1, savepointPath = savepoint });

            Assert.Equal(System.Net.HttpStatusCode.BadRequest, run.StatusCode);
            Assert.Contains("allow-non-restored-state", (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
            // Nothing for a next leader to resume: the refused job never ran.
            Assert.Empty(await services.GetJobsAsync());
        });

    /// <summary>One HA JobManager (no TaskManagers) elected in a cluster of its own, with the WordCount application uploaded.</summary>
    private async Task WithOneJobManagerAsync(string clusterId, Func<RedisHighAvailabilityServices, LeaderAddress, HttpClient, string, Task> test)
    {
        await using var services = await RedisHighAvailabilityServices.ConnectAsync(_redis.Address, clusterId);
        using var stop = new CancellationTokenSource();
        var jobManager = SessionClusterEntrypoint.RunJobManagerAsync(new JobManagerConfiguration { RestPort = 0 }, _work.Combine("artifacts"), stop.Token, _redis.Address, clusterId);
        try
        {
            var leader = await WaitForLeaderAsync(new HighAvailabilityLeaderRetrieval(services), previous: null);
            using var http = new HttpClient { BaseAddress = new Uri(leader.RestAddress) };
            using var zip = TestApplications.Zip(TestApplications.WordCount);
            using var form = new MultipartFormDataContent { { new StreamContent(zip), "file", "WordCount.zip" } };
            var artifactId = (await (await http.PostAsync("artifacts", form)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            await test(services, leader, http, artifactId);
        }
        finally
        {
            await stop.CancelAsync();
            await jobManager;
        }
    }

    private static async Task<LeaderAddress> WaitForLeaderAsync(ILeaderRetrieval retrieval, LeaderAddress? previous)
    {
        LeaderAddress? leader = null;
        await WaitUntilAsync(async () =>
        {
            leader = await retrieval.GetLeaderAsync(CancellationToken.None);
            return leader is not null && leader != previous;
        }, TimeSpan.FromSeconds(30));
        return leader!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the cluster.");
            await Task.Delay(100);
        }
    }
}
