using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace Rill.Cluster.Tests;

/// <summary>
/// Application mode with HA (Flink as a library): three processes of the same program with <c>--cluster redis://…</c>
/// elect one JobManager leader through a real redis-server and each runs a TaskManager with 2 slots. The leader is
/// killed or frozen while the job runs; the job must still end with exactly the embedded output.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class HighAvailabilityTests(ReferenceRuns references, RedisServer redis, ITestOutputHelper log) : IClassFixture<RedisServer>
{
    /// <summary>
    /// 3000 lines at 60 lines/s per source subtask, parallelism 4: about 12.5 s per attempt, time enough to kill or freeze
    /// the leader while the job runs.
    /// </summary>
    private string[] SlowWordCount(string output) =>
        ["--input", references.WordCountInput, "--output", output, "--parallelism", "4", "--lines-per-second", "60"];

    private Task<ReferenceRun> WordCountExpected() =>
        references.EmbeddedAsync(Programs.WordCount, "--input", references.WordCountInput, "--parallelism", "4");

    [Fact]
    public async Task Killing_the_leader_elects_another_the_TaskManagers_rejoin_it_and_the_job_finishes_with_the_embedded_output()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(170));
        var expected = WordCountExpected();
        var output = harness.PathOf("out");
        var app = HaApplication.Start(harness, redis, Programs.WordCount, 3, SlowWordCount(output));

        var first = await app.WaitForLeaderAsync(aboveTerm: 0, TimeSpan.FromSeconds(40));
        var job = await app.WaitForRunningJobAsync(first, TimeSpan.FromSeconds(40));
        var published = await app.LeaderFieldAsync("address");
        harness.Check(published is not null && published.Contains($"rest={first.Rest}", StringComparison.Ordinal),
            $"Redis {app.LeaderKey} address should name the leader's REST API {first.Rest}, but is '{published}'.");

        harness.Note($"SIGKILL to the leader {first}");
        first.Process.KillHard();
        var survivors = app.Processes.Where(p => p != first.Process).ToList();

        var second = await app.WaitForLeaderAsync(first.Term, TimeSpan.FromSeconds(30), survivors);
        harness.Check(second.Term > first.Term, $"The new leader's term {second.Term} must be above {first.Term}.");
        IReadOnlyList<string> registered = [];
        await harness.WaitUntilAsync("both surviving TaskManagers register with the new leader (GET /taskmanagers lists 2)", TimeSpan.FromSeconds(30), async () =>
        {
            registered = await harness.GetTaskManagerIdsAsync(second.Rest);
            return registered.Count == 2;
        }, lastSeen: () => string.Join(", ", registered));
        harness.Check(survivors.All(p => registered.Count(id => HaApplication.IsTaskManagerOf(id, p)) == 1),
            $"The new leader's TaskManagers {string.Join(", ", registered)} must be the survivors' (pids {string.Join(", ", survivors.Select(p => p.Id))}).");
        var resumed = await harness.GetJobsAsync(second.Rest);
        harness.Check(resumed.Count == 1 && resumed[0].Id == job.Id, $"The new leader must resume the same job {job.Id}, but lists {string.Join(", ", resumed)}.");

        await harness.ExpectExitZeroAsync(survivors, TimeSpan.FromSeconds(90));
        ResultFiles.AssertSameAsEmbedded(harness, await expected, output);
        log.WriteLine(harness.Diagnostics());
    }

    [Fact]
    public async Task A_frozen_leader_that_wakes_up_after_a_takeover_steps_down_is_fenced_off_and_rejoins_as_a_TaskManager()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(170));
        var expected = WordCountExpected();
        var output = harness.PathOf("out");
        var app = HaApplication.Start(harness, redis, Programs.WordCount, 3, SlowWordCount(output));

        var old = await app.WaitForLeaderAsync(aboveTerm: 0, TimeSpan.FromSeconds(40));
        var job = await app.WaitForRunningJobAsync(old, TimeSpan.FromSeconds(40));
        harness.Note($"SIGSTOP to the leader {old}");
        old.Process.Signal("STOP");
        var survivors = app.Processes.Where(p => p != old.Process).ToList();

        // Its lease (5 s) runs out while it is frozen; a survivor takes over with a higher term.
        var current = await app.WaitForLeaderAsync(old.Term, TimeSpan.FromSeconds(30), survivors);
        var token = await app.LeaderFieldAsync("token");
        harness.Check(token == current.Term.ToString(CultureInfo.InvariantCulture), $"Redis {app.LeaderKey} token should be the new term {current.Term}, but is '{token}'.");
        await harness.WaitUntilAsync("the new leader lists the job", TimeSpan.FromSeconds(20), async () => (await harness.GetJobsAsync(current.Rest)).Any(j => j.Id == job.Id));

        harness.Note($"SIGCONT to the old leader {old}");
        old.Process.Signal("CONT");
        var stepDown = await harness.WaitForLogAsync(old.Process, HaApplication.LostLeadershipLine(), TimeSpan.FromSeconds(10));
        harness.Check(stepDown.Groups["term"].Value == old.Term.ToString(CultureInfo.InvariantCulture),
            $"The old leader must step down from its own term {old.Term}, but logged '{stepDown.Value}'.");

        // Its process's TaskManager joins the new leader: GET /taskmanagers there lists all three processes' TaskManagers.
        IReadOnlyList<string> registered = [];
        await harness.WaitUntilAsync("the old leader's TaskManager registers with the new leader", TimeSpan.FromSeconds(15), async () =>
        {
            registered = await harness.GetTaskManagerIdsAsync(current.Rest);
            return app.Processes.All(p => registered.Any(id => HaApplication.IsTaskManagerOf(id, p)));
        }, lastSeen: () => string.Join(", ", registered));

        // It must not take leadership back: Redis still names the new leader with the new term's token.
        harness.Check(await app.LeaderFieldAsync("id") == current.ContenderId && await app.LeaderFieldAsync("token") == current.Term.ToString(CultureInfo.InvariantCulture),
            $"After waking up, the old leader must not displace the new one in Redis ({current.ContenderId}, term {current.Term}).");

        // Its JobManager of the old term is gone: its REST API stops answering.
        await harness.WaitUntilAsync($"the old leader's REST API {old.Rest} stops answering", TimeSpan.FromSeconds(10), async () =>
        {
            try
            {
                await harness.GetJobsAsync(old.Rest);
                return false;
            }
            catch (HttpRequestException)
            {
                return true;
            }
        });

        await harness.ExpectExitZeroAsync([.. survivors, old.Process], TimeSpan.FromSeconds(90));
        ResultFiles.AssertSameAsEmbedded(harness, await expected, output);

        // Every process exits with the result the current leader recorded; a write of the old term's outcome (its job
        // canceled on stepping down) would have been refused by the fenced result store.
        var stored = await redis.HGetAsync($"rill:{{{app.ClusterId}}}:results", job.Id, harness.Deadline);
        harness.Check(stored is not null && JsonStatus(stored) == "finished", $"Redis must hold the job's result as FINISHED, but holds '{stored}'.");
        var refusals = app.Processes.SelectMany(p => p.ErrorLines.Where(line => line.Contains("fencing token", StringComparison.OrdinalIgnoreCase)
            && (line.Contains("refused", StringComparison.OrdinalIgnoreCase) || line.Contains("fenced", StringComparison.OrdinalIgnoreCase))).Select(line => $"{p.Name}: {line}")).ToList();
        log.WriteLine($"Fencing refusals logged ({refusals.Count}):\n{string.Join('\n', refusals)}");
        var takeover = app.Grants().Where(g => g.Term <= current.Term).ToList();
        harness.Check(takeover.Count == 2 && takeover[0].Process == old.Process && takeover[1].Process == current.Process,
            $"Up to the takeover exactly two terms were expected, the frozen leader's and its successor's: {string.Join("; ", app.Grants())}.");
        log.WriteLine(harness.Diagnostics());
    }

    [Fact]
    public async Task ClickCounts_started_three_times_elects_one_leader_runs_one_job_over_three_TaskManagers_writes_the_embedded_output_and_all_exit_0_together()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(150));
        // Parallelism 6 = all 3 x 2 slots: at parallelism 4 the scheduler may legitimately fill two TaskManagers only.
        var expected = references.EmbeddedAsync(Programs.ClickCounts, "--parallelism", "6");
        var output = harness.PathOf("out");
        var app = HaApplication.Start(harness, redis, Programs.ClickCounts, 3, "--output", output, "--parallelism", "6");

        var leader = await app.WaitForLeaderAsync(aboveTerm: 0, TimeSpan.FromSeconds(40));
        // The job takes about 2 s: poll the leader's REST API quickly to see it while the leader still serves it.
        JobDetails? job = null;
        await harness.WaitUntilAsync("the leader's GET /jobs shows the job with every subtask placed", TimeSpan.FromSeconds(40), async () =>
        {
            var jobs = await harness.GetJobsAsync(leader.Rest);
            harness.Check(jobs.Count <= 1, $"An application cluster runs exactly one job, but GET /jobs lists {string.Join(", ", jobs)}.");
            if (jobs.Count == 0)
            {
                return false;
            }

            job = await harness.GetJobAsync(leader.Rest, jobs[0].Id);
            return job.Subtasks.Count > 0 && job.Subtasks.All(s => s.TaskManagerId is not null && s.Status is "RUNNING" or "FINISHED");
        }, TimeSpan.FromMilliseconds(50), () => $"{job}");
        harness.Note($"seen: {job}");
        harness.Check(job!.TaskManagerIds.Count == 3 && app.Processes.All(p => job.TaskManagerIds.Any(id => HaApplication.IsTaskManagerOf(id, p))),
            $"At parallelism 6 the subtasks must use the TaskManagers of all three processes: {job}");

        // Leader or not, a process has nothing left to do once the job's result is known: all three end together.
        await harness.WaitUntilAsync("a process exits (the job ended)", TimeSpan.FromSeconds(60), () => app.Processes.Any(p => p.HasExited));
        var firstExit = app.Processes.Where(p => p.HasExited).Min(p => p.ExitedAt!.Value);
        foreach (var process in app.Processes)
        {
            var left = firstExit + TimeSpan.FromSeconds(10) - harness.Elapsed;
            await process.WaitForExitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, harness.Deadline);
        }

        var late = app.Processes.Where(p => !p.HasExited).ToList();
        await harness.ExpectExitZeroAsync(app.Processes, TimeSpan.FromSeconds(90));
        var grants = app.Grants();
        harness.Check(grants.Count == 1, $"Exactly one 'granted leadership' line was expected across the three logs: {string.Join("; ", grants)}.");
        // Every process reports the job's outcome, the same one: its late-click count.
        var lateCounts = app.Processes.Select(p => ResultFiles.LateCount(p.StandardError)).Distinct().ToList();
        harness.Check(lateCounts.Count == 1 && lateCounts[0] is not null, $"All three processes must print the same 'late: N', got {string.Join(", ", lateCounts)}.");
        ResultFiles.AssertClickCountsMatchEmbedded(harness, await expected, output, lateCounts[0]);
        var exits = string.Join(", ", app.Processes.Select(p => $"{p.Name}{(p == leader.Process ? " (leader)" : "")} at +{(p.ExitedAt!.Value - firstExit).TotalSeconds:0.0} s"));
        harness.Check(late.Count == 0, $"Every process must exit within 10 s of the first one, but {string.Join(", ", late.Select(p => p.Name))} did not; exits: {exits}.");
        log.WriteLine(harness.Diagnostics());
    }

    private static string? JsonStatus(string json)
    {
        using var document = JsonDocument.Parse(json);
        var status = document.RootElement.EnumerateObject().FirstOrDefault(p => p.Name.Equals("status", StringComparison.OrdinalIgnoreCase)).Value;
        return status.ValueKind == JsonValueKind.String ? status.GetString()!.ToLowerInvariant() : null;
    }
}
