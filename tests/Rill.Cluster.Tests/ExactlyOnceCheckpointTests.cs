using System.Globalization;
using Xunit.Abstractions;

namespace Rill.Cluster.Tests;

/// <summary>
/// Exactly-once with checkpoints on a static-role cluster (no Redis): ClickCounts over 2,000,000 clicks with
/// <c>--checkpointing 500</c> runs on a JobManager without slots and three TaskManagers with 2 slots each. Three times, at
/// a moment drawn from a seeded random, a TaskManager that hosts subtasks is killed with SIGKILL and a replacement is
/// started; every time the job must restore its latest completed checkpoint. Committed part files appear while the job
/// runs, and in the end the committed output equals the embedded run's exactly: no window lost, none twice.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class ExactlyOnceCheckpointTests(ReferenceRuns references, ITestOutputHelper log)
{
    /// <summary>Per source subtask: 2,000,000 lines / (4 × 17,000 lines/s) ≈ 30 s at parallelism 4, without restarts.</summary>
    private const int LinesPerSecond = 17_000;

    private const int Kills = 3;

    [Fact]
    public async Task Three_kill_9s_of_TaskManagers_restore_the_latest_checkpoint_and_the_committed_output_equals_the_embedded_run_exactly()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(150));
        var random = TestSeed.Create(harness, log);
        var input = references.CheckpointedClicksInput;
        harness.Note($"input {input} ({CheckpointedClickInput.Lines} lines) ready");
        // Without checkpointing, and before the cluster starts, so the two do not compete for the CPUs.
        var expected = await references.EmbeddedAsync(Programs.ClickCounts, "--input", input, "--parallelism", "4");
        harness.Note($"embedded reference run: {expected.Lines.Count} result lines");
        harness.Check(ResultFiles.LateCount(expected.StandardError) == 0,
            $"The input is built so that no click is late, but the embedded run printed: {expected.StandardError}");

        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var output = harness.PathOf("out");
        var checkpoints = harness.PathOf("checkpoints");
        string[] job =
        [
            "--input", input, "--output", output, "--parallelism", "4", "--checkpointing", "500", "--checkpoint-dir", checkpoints,
            "--lines-per-second", LinesPerSecond.ToString(CultureInfo.InvariantCulture),
        ];
        var jobManager = harness.Start("jobmanager", Programs.ClickCounts, [.. job, "--role", "jobmanager", "--slots", "0", "--rest-port", port]);
        var rest = await harness.WaitForRestAddressAsync(jobManager, TimeSpan.FromSeconds(30));
        string[] taskManagerArgs = [.. job, "--role", "taskmanager", "--jobmanager", $"http://127.0.0.1:{port}", "--slots", "2"];
        var taskManagers = Enumerable.Range(1, 3).Select(i => harness.Start($"taskmanager-{i}", Programs.ClickCounts, taskManagerArgs)).ToList();

        string jobId = null!;
        await harness.WaitUntilAsync("GET /jobs lists the job", TimeSpan.FromSeconds(30), async () =>
        {
            var jobs = await harness.GetJobsAsync(rest);
            harness.Check(jobs.Count <= 1, $"An application cluster runs exactly one job, but GET /jobs lists {string.Join(", ", jobs)}.");
            jobId = jobs.Count == 1 ? jobs[0].Id : null!;
            return jobId is not null;
        });

        // Two-phase commit: checkpoints publish part files while the sources still read the input.
        await harness.WaitUntilAsync("committed part files appear in the output directory", TimeSpan.FromSeconds(40), () =>
            Task.FromResult(ResultFiles.Names(output).Count > 0), TimeSpan.FromMilliseconds(100));
        var seen = await harness.GetJobAsync(rest, jobId);
        var committedEarly = ResultFiles.Names(output);
        harness.Note($"{committedEarly.Count} committed part files while {seen}");
        harness.Check(seen.State == "RUNNING" && seen.Subtasks.Where(IsSource).All(s => s.Status == "RUNNING"),
            $"Committed part files ({string.Join(", ", committedEarly)}) must appear while the job runs and its sources still read the input: {seen}");

        var killed = new List<ClusterProcess>();
        for (var kill = 1; kill <= Kills; kill++)
        {
            // Only a kill that can be restored from a checkpoint of the current attempt tests recovery from checkpoints.
            JobDetails running = null!;
            CheckpointDetails stats = null!;
            await harness.WaitUntilAsync($"before kill {kill}: the job RUNNING, every subtask RUNNING, a checkpoint completed since the last restore",
                TimeSpan.FromSeconds(30), async () =>
                {
                    running = await harness.GetJobAsync(rest, jobId);
                    harness.Check(!running.IsTerminal && !running.Subtasks.Any(s => s.Status == "FINISHED"),
                        $"The job reached the end of its input before kill {kill}; lower --lines-per-second. {running}");
                    stats = await harness.GetCheckpointsAsync(rest, jobId);
                    return running.State == "RUNNING" && running.Subtasks.All(s => s.Status == "RUNNING") && stats.HasCompletedSinceRestore;
                }, TimeSpan.FromMilliseconds(100), () => $"{running}\n{stats}");

            var wait = TimeSpan.FromMilliseconds(random.Next(0, 2_500));
            harness.Note($"kill {kill}: ready ({stats}); killing after a further {wait.TotalMilliseconds:0} ms");
            await Task.Delay(wait, harness.Deadline);

            running = await harness.GetJobAsync(rest, jobId);
            var before = await harness.GetCheckpointsAsync(rest, jobId);
            harness.Check(running.State == "RUNNING" && !running.Subtasks.Any(s => s.Status == "FINISHED"),
                $"The job must still run at kill {kill}; lower --lines-per-second. {running}");
            var hosts = taskManagers.Where(p => !p.HasExited && running.Subtasks.Any(s => s.TaskManagerId is { } id && HaApplication.IsTaskManagerOf(id, p))).ToList();
            harness.Check(hosts.Count > 0, $"No live TaskManager process hosts a subtask: {running}");
            var victim = hosts[random.Next(hosts.Count)];
            var victimSubtasks = running.Subtasks.Where(s => s.TaskManagerId is { } id && HaApplication.IsTaskManagerOf(id, victim)).ToList();
            harness.Note($"kill {kill}: SIGKILL to {victim.Name} (pid {victim.Id}), hosting {string.Join(", ", victimSubtasks.Select(s => $"{s.Vertex}[{s.Subtask}] #{s.Attempt}"))}; {before}");
            victim.KillHard();
            killed.Add(victim);
            var killedAt = harness.Elapsed;
            var replacement = harness.Start($"taskmanager-{3 + kill}", Programs.ClickCounts, taskManagerArgs);
            taskManagers.Add(replacement);

            CheckpointDetails restored = null!;
            await harness.WaitUntilAsync($"after kill {kill}: GET /jobs/{{id}}/checkpoints counts another restore", TimeSpan.FromSeconds(30), async () =>
            {
                restored = await harness.GetCheckpointsAsync(rest, jobId);
                return restored.Restored > before.Restored;
            }, TimeSpan.FromMilliseconds(100), () => $"{restored}");
            harness.Note($"kill {kill}: restored {(harness.Elapsed - killedAt).TotalSeconds:0.0} s after the kill: {restored}");
            harness.Check(restored.LatestRestoredId is > 0,
                $"After kill {kill} the job must restore a checkpoint (latest.restored.id > 0): {restored}\n{restored.Json}");
            harness.Check(restored.LatestRestoredId >= before.LatestCompletedId,
                $"After kill {kill} the job must restore its latest completed checkpoint {before.LatestCompletedId} (or a newer one), not {restored.LatestRestoredId}.");
            harness.Check(restored.Restored == before.Restored + 1, $"Kill {kill} must cause exactly one restore: before {before}, after {restored}.");
        }

        // The job recovers once more and runs to its end on the TaskManagers that are left.
        JobDetails last = null!;
        await harness.WaitUntilAsync("after the last kill: every subtask RUNNING (or FINISHED) on a live TaskManager", TimeSpan.FromSeconds(30), async () =>
        {
            last = await harness.GetJobAsync(rest, jobId);
            return last.State is "RUNNING" or "FINISHED" && last.Subtasks.All(s => s.Status is "RUNNING" or "FINISHED");
        }, TimeSpan.FromMilliseconds(100), () => $"{last}");
        harness.Check(last.Subtasks.All(s => s.TaskManagerId is { } id && !killed.Any(k => HaApplication.IsTaskManagerOf(id, k))),
            $"No subtask may run on a killed TaskManager: {last}");
        harness.Check(last.Restarts >= Kills, $"Each of the {Kills} kills must restart the job: {last}");

        await WaitForEndAsync(harness, jobManager, rest, jobId, TimeSpan.FromSeconds(90));
        var survivors = taskManagers.Except(killed).ToList();
        await harness.ExpectExitZeroAsync([jobManager, .. survivors], TimeSpan.FromSeconds(90));
        harness.Check(ResultFiles.LateCount(jobManager.StandardError) == 0,
            $"No click of this input can be late, also not after restores, but the JobManager printed: {jobManager.StandardError}");
        ResultFiles.AssertSameAsEmbedded(harness, expected, output);

        var hidden = Directory.EnumerateFiles(output).Select(Path.GetFileName).Where(n => n!.StartsWith('.')).ToList();
        harness.Note($"committed part files: {ResultFiles.Names(output).Count}; hidden files left behind: {hidden.Count} "
            + $"({hidden.Count(n => n!.EndsWith(".inprogress", StringComparison.Ordinal))} .inprogress, {hidden.Count(n => n!.EndsWith(".pending", StringComparison.Ordinal))} .pending)");
        // A finished job discards its checkpoints, also folders of checkpoints aborted by a kill (a surviving task's late
        // state file must not bring one back).
        var jobCheckpoints = Path.Combine(checkpoints, jobId);
        await harness.WaitUntilAsync("the finished job's checkpoint folders are removed", TimeSpan.FromSeconds(10),
            () => !Directory.Exists(jobCheckpoints) || !Directory.EnumerateFileSystemEntries(jobCheckpoints).Any(),
            lastSeen: () => Directory.Exists(jobCheckpoints) ? string.Join(", ", Directory.EnumerateFileSystemEntries(jobCheckpoints).Select(Path.GetFileName)) : "gone");
        log.WriteLine(harness.Diagnostics());
    }

    /// <summary>
    /// Polls the job until it ends (the JobManager's process exits with it, so its REST API going away counts too); on a
    /// timeout the failure shows what the job, its checkpoints and its exception history looked like last.
    /// </summary>
    internal static async Task WaitForEndAsync(ClusterHarness harness, ClusterProcess jobManager, Uri rest, string jobId, TimeSpan within)
    {
        var last = "nothing yet";
        await harness.WaitUntilAsync($"job {jobId} ends", within, async () =>
        {
            if (jobManager.HasExited)
            {
                return true;
            }

            var job = await harness.GetJobAsync(rest, jobId);
            var checkpoints = await harness.GetCheckpointsAsync(rest, jobId);
            var exceptions = await harness.GetJsonAsync(rest, $"jobs/{jobId}/exceptions");
            last = $"{job}\n{checkpoints}\n{checkpoints.Json}\nexceptions: {exceptions.GetRawText()}";
            return job.IsTerminal;
        }, TimeSpan.FromMilliseconds(500), () => last);
        harness.Note($"job ended; last seen: {last[..Math.Min(last.Length, 1_500)]}");
    }

    private static bool IsSource(SubtaskView subtask) => subtask.Vertex.StartsWith("File Source", StringComparison.Ordinal);
}
