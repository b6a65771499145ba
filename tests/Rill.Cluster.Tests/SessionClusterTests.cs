using System.Text.Json;
using Xunit.Abstractions;

namespace Rill.Cluster.Tests;

/// <summary>
/// Session mode as operators run it: <c>rill jobmanager</c>, <c>rill taskmanager</c>s and <c>rill run</c>, each a real
/// process on free ports, jobs reading and writing files and exchanging data over TCP between TaskManagers.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class SessionClusterTests(ReferenceRuns references, ITestOutputHelper log)
{
    [Fact]
    public async Task Rill_run_executes_WordCount_and_ClickCounts_on_two_TaskManagers_with_the_embedded_output()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(150));
        var wordCountExpected = references.EmbeddedAsync(Programs.WordCount, "--input", references.WordCountInput, "--parallelism", "4");
        var clickCountsExpected = references.EmbeddedAsync(Programs.ClickCounts, "--parallelism", "4");
        var cluster = await SessionCluster.StartAsync(harness, taskManagers: 2);
        var taskManagerIds = cluster.TaskManagers.Select(t => t.Id).Order(StringComparer.Ordinal).ToArray();

        var jobs = new[]
        {
            (Name: "wordcount", Program: Programs.WordCount, Args: new[] { "--input", references.WordCountInput }, Expected: wordCountExpected),
            (Name: "clickcounts", Program: Programs.ClickCounts, Args: Array.Empty<string>(), Expected: clickCountsExpected),
        };
        foreach (var job in jobs)
        {
            var output = harness.PathOf(job.Name + "-out");
            var (client, jobId) = await cluster.RunAsync("run-" + job.Name, job.Program, parallelism: 4, detached: false, [.. job.Args, "--output", output]);

            // `rill run` waits for the end and reports it through its exit code.
            await harness.ExpectExitZeroAsync([client], TimeSpan.FromSeconds(90));
            var details = await harness.GetJobAsync(cluster.Rest, jobId);
            harness.Check(details.State == "FINISHED", $"{job.Name}: expected FINISHED, got {details}");
            harness.Check(details.Subtasks.Count > 0 && details.Subtasks.All(s => s.Status == "FINISHED"), $"{job.Name}: every subtask should be FINISHED: {details}");
            harness.Check(details.TaskManagerIds.SequenceEqual(taskManagerIds),
                $"{job.Name}: at parallelism 4 on 2 TaskManagers x 2 slots the subtasks must run on both ({string.Join(", ", taskManagerIds)}): {details}");

            var metrics = await harness.GetJsonAsync(cluster.Rest, $"jobs/{jobId}/metrics");
            var remoteBytes = metrics.GetProperty("vertices").EnumerateArray().Sum(v => v.GetProperty("metrics").GetProperty("read-bytes-remote").GetInt64());
            harness.Check(remoteBytes > 0, $"{job.Name}: the keyed exchange between two TaskManagers must read bytes over TCP, but read-bytes-remote sums to {remoteBytes}: {metrics}");

            if (job.Program == Programs.ClickCounts)
            {
                // `rill run` does not print the program's own summary, so the late count is unknown here.
                ResultFiles.AssertClickCountsMatchEmbedded(harness, await job.Expected, output, clusterLate: null);
            }
            else
            {
                ResultFiles.AssertSameAsEmbedded(harness, await job.Expected, output);
            }
        }

        harness.Check(!cluster.JobManager.HasExited && cluster.TaskManagers.All(t => !t.Process.HasExited), "The session cluster's processes must keep running between jobs.");
        log.WriteLine(harness.Diagnostics());
    }

    [Fact]
    public async Task Kill_9_of_a_TaskManager_is_noticed_at_once_and_the_restarted_job_finishes_with_the_embedded_output()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(150));
        var expected = references.EmbeddedAsync(Programs.WordCount, "--input", references.WordCountInput, "--parallelism", "4");
        // A heartbeat timeout far beyond the 15 s the test allows: only the closed connection can explain a fast reaction.
        var cluster = await SessionCluster.StartAsync(harness, taskManagers: 3, "--heartbeat-timeout", "60");
        var output = harness.PathOf("out");
        // 3000 lines at 65 lines/s per source subtask, parallelism 4: about 11.5 s per attempt.
        var (client, jobId) = await cluster.RunAsync("run-wordcount", Programs.WordCount, parallelism: 4, detached: false,
            "--input", references.WordCountInput, "--output", output, "--lines-per-second", "65");

        JobDetails running = null!;
        await harness.WaitUntilAsync("the job's subtasks run", TimeSpan.FromSeconds(60), async () =>
        {
            running = await harness.GetJobAsync(cluster.Rest, jobId);
            harness.Check(!running.IsTerminal, $"The job ended before a TaskManager could be killed: {running}");
            return running.State == "RUNNING" && running.Subtasks.Any(s => s.Status == "RUNNING");
        }, lastSeen: () => $"{running}");
        var victimId = running.Subtasks.First(s => s.Status == "RUNNING").TaskManagerId!;
        var victim = cluster.TaskManagers.Single(t => t.Id == victimId).Process;
        harness.Note($"killing {victim.Name} ({victimId}, pid {victim.Id}) with SIGKILL while {running}");
        victim.KillHard();

        // The JobManager learns it from the closed control and data connections, not from the 60 s heartbeat timeout.
        JsonElement exceptions = default;
        var noticed = await harness.WaitUntilAsync("GET /jobs/{id}/exceptions reports a lost connection", TimeSpan.FromSeconds(15), async () =>
        {
            exceptions = await harness.GetJsonAsync(cluster.Rest, $"jobs/{jobId}/exceptions");
            return exceptions.GetProperty("exceptionHistory").GetProperty("entries").EnumerateArray()
                .Any(e => e.GetRawText().Contains("connection lost", StringComparison.OrdinalIgnoreCase));
        }, lastSeen: () => exceptions.ValueKind == JsonValueKind.Undefined ? "nothing" : exceptions.GetRawText());
        harness.Note($"exceptions report the lost connection {noticed.TotalSeconds:0.0} s after the kill");

        var survivors = cluster.TaskManagers.Where(t => t.Id != victimId).Select(t => t.Id).ToHashSet();
        await harness.WaitUntilAsync($"GET /taskmanagers drops {victimId}", TimeSpan.FromSeconds(15),
            async () => (await harness.GetTaskManagerIdsAsync(cluster.Rest)).ToHashSet().SetEquals(survivors));

        var finished = await harness.WaitForJobEndAsync(cluster.Rest, jobId, TimeSpan.FromSeconds(90));
        harness.Check(finished.State == "FINISHED", $"The job must recover from the lost TaskManager and finish: {finished}");
        harness.Check(finished.Restarts >= 1, $"The job must have restarted (restarts >= 1): {finished}");
        harness.Check(finished.Subtasks.All(s => s.Attempt >= 1 && s.Status == "FINISHED"), $"Every subtask's final attempt must be a restarted one (attempt >= 1) that finished: {finished}");
        harness.Check(finished.Subtasks.All(s => s.TaskManagerId != victimId), $"No subtask may be placed on the killed TaskManager {victimId} after the restart: {finished}");
        await harness.ExpectExitZeroAsync([client], TimeSpan.FromSeconds(30));
        ResultFiles.AssertSameAsEmbedded(harness, await expected, output);
        log.WriteLine(harness.Diagnostics());
    }
}
