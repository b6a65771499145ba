using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Rill.Cluster.Tests;

/// <summary>
/// Checkpoints across a JobManager failover (application mode with HA): ClickCounts over 2,000,000 clicks started three
/// times with <c>--cluster redis://…</c> and <c>--checkpointing 500</c> into one shared <c>--checkpoint-dir</c>. Once the job
/// has completed checkpoints the leader (JobManager and a TaskManager) is killed with SIGKILL; a standby takes over,
/// resumes the job from its latest completed checkpoint (the pointers are in Redis, the files in the shared directory)
/// and the committed output equals the embedded run's exactly.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed partial class CheckpointHighAvailabilityTests(ReferenceRuns references, RedisServer redis, ITestOutputHelper log) : IClassFixture<RedisServer>
{
    /// <summary>Per source subtask: 2,000,000 lines / (4 × 17,000 lines/s) ≈ 30 s at parallelism 4, without the failover.</summary>
    private const int LinesPerSecond = 17_000;

    [Fact]
    public async Task Kill_9_of_the_leader_after_completed_checkpoints_resumes_the_job_on_a_standby_from_its_latest_checkpoint_with_the_embedded_output_exactly()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(170));
        var random = TestSeed.Create(harness, log);
        var input = references.CheckpointedClicksInput;
        var expected = await references.EmbeddedAsync(Programs.ClickCounts, "--input", input, "--parallelism", "4");
        harness.Note($"embedded reference run: {expected.Lines.Count} result lines");
        harness.Check(ResultFiles.LateCount(expected.StandardError) == 0,
            $"The input is built so that no click is late, but the embedded run printed: {expected.StandardError}");

        var output = harness.PathOf("out");
        var checkpoints = harness.PathOf("checkpoints");
        // Parallelism 4 on 3 processes x 2 slots: the 2 survivors' 4 slots can run the whole job after the failover.
        var app = HaApplication.Start(harness, redis, Programs.ClickCounts, 3,
            "--input", input, "--output", output, "--parallelism", "4", "--checkpointing", "500", "--checkpoint-dir", checkpoints,
            "--lines-per-second", LinesPerSecond.ToString(CultureInfo.InvariantCulture));

        var first = await app.WaitForLeaderAsync(aboveTerm: 0, TimeSpan.FromSeconds(40));
        var job = await app.WaitForRunningJobAsync(first, TimeSpan.FromSeconds(40));
        CheckpointDetails stats = null!;
        await harness.WaitUntilAsync("the leader's GET /jobs/{id}/checkpoints counts 2 completed checkpoints", TimeSpan.FromSeconds(30), async () =>
        {
            stats = await harness.GetCheckpointsAsync(first.Rest, job.Id);
            return stats.Completed >= 2;
        }, TimeSpan.FromMilliseconds(100), () => $"{stats}");

        var wait = TimeSpan.FromMilliseconds(random.Next(0, 2_000));
        harness.Note($"ready ({stats}); killing the leader after a further {wait.TotalMilliseconds:0} ms");
        await Task.Delay(wait, harness.Deadline);
        var running = await harness.GetJobAsync(first.Rest, job.Id);
        var before = await harness.GetCheckpointsAsync(first.Rest, job.Id);
        harness.Check(running.State == "RUNNING" && !running.Subtasks.Any(s => s.Status == "FINISHED"),
            $"The job must still run when the leader is killed; lower --lines-per-second. {running}");
        var committedBefore = ResultFiles.Names(output);
        harness.Check(committedBefore.Count > 0, $"Committed part files must appear while the job runs ({before}).");
        harness.Note($"SIGKILL to the leader {first}; {committedBefore.Count} committed part files; {before}; {running}");
        first.Process.KillHard();
        var killedAt = harness.Elapsed;
        var survivors = app.Processes.Where(p => p != first.Process).ToList();

        var second = await app.WaitForLeaderAsync(first.Term, TimeSpan.FromSeconds(30), survivors);
        CheckpointDetails restored = null!;
        await harness.WaitUntilAsync("the new leader's GET /jobs/{id}/checkpoints shows the restored checkpoint", TimeSpan.FromSeconds(30), async () =>
        {
            restored = await harness.GetCheckpointsAsync(second.Rest, job.Id);
            return restored.LatestRestoredId is not null;
        }, TimeSpan.FromMilliseconds(100), () => $"{restored}");
        harness.Note($"the new leader restored {(harness.Elapsed - killedAt).TotalSeconds:0.0} s after the kill: {restored}");
        harness.Check(restored.LatestRestoredId > 0 && restored.Restored >= 1,
            $"The new leader must resume the job from a checkpoint (latest.restored.id > 0): {restored}\n{restored.Json}");
        harness.Check(restored.LatestRestoredId >= before.LatestCompletedId,
            $"The new leader must resume from the latest completed checkpoint {before.LatestCompletedId} (or a newer one), not {restored.LatestRestoredId}.");
        var resumeLine = await harness.WaitForLogAsync(second.Process, ResumingLine(), TimeSpan.FromSeconds(10));
        harness.Check(resumeLine.Groups["id"].Value == restored.LatestRestoredId?.ToString(CultureInfo.InvariantCulture),
            $"The new leader's log must name the checkpoint it restored ({restored.LatestRestoredId}): '{resumeLine.Value}'.");

        // The resumed job takes checkpoints of its own before it ends.
        await harness.WaitUntilAsync("the resumed job completes a checkpoint newer than the restored one", TimeSpan.FromSeconds(30), async () =>
        {
            if (survivors.Any(p => p.HasExited))
            {
                return true;
            }

            restored = await harness.GetCheckpointsAsync(second.Rest, job.Id);
            return restored.HasCompletedSinceRestore;
        }, TimeSpan.FromMilliseconds(200), () => $"{restored}");
        harness.Note($"after the failover: {restored}");

        await harness.ExpectExitZeroAsync(survivors, TimeSpan.FromSeconds(90));
        foreach (var process in survivors)
        {
            harness.Check(ResultFiles.LateCount(process.StandardError) == 0,
                $"No click of this input can be late, also not after the failover, but {process.Name} printed: {process.StandardError}");
        }

        ResultFiles.AssertSameAsEmbedded(harness, expected, output);
        harness.Check(app.Grants().Count(g => g.Term > first.Term) == 1, $"Exactly one takeover was expected: {string.Join("; ", app.Grants())}.");
        log.WriteLine(harness.Diagnostics());
    }

    [GeneratedRegex(@"resuming from checkpoint (?<id>\d+) ")]
    private static partial Regex ResumingLine();
}
