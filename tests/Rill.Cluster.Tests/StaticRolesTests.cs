using System.Globalization;
using Xunit.Abstractions;

namespace Rill.Cluster.Tests;

/// <summary>
/// Application mode with static roles (no HA): the same program started once as <c>--role jobmanager</c> and twice as
/// <c>--role taskmanager</c> forms one cluster, runs its one job and every process exits with the job's outcome.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class StaticRolesTests(ReferenceRuns references, ITestOutputHelper log)
{
    [Fact]
    public async Task WordCount_as_a_JobManager_and_two_TaskManagers_writes_the_embedded_output_and_all_three_exit_0()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(120));
        var expected = references.EmbeddedAsync(Programs.WordCount, "--input", references.WordCountInput, "--parallelism", "4");
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var output = harness.PathOf("out");
        string[] job = ["--input", references.WordCountInput, "--output", output, "--parallelism", "4"];

        // --slots 0: a JobManager only, so all four subtasks must run in the two TaskManager processes.
        var jobManager = harness.Start("jobmanager", Programs.WordCount, [.. job, "--role", "jobmanager", "--slots", "0", "--rest-port", port]);
        var rest = await harness.WaitForRestAddressAsync(jobManager, TimeSpan.FromSeconds(30));
        harness.Check(rest.Port.ToString(CultureInfo.InvariantCulture) == port, $"The JobManager should serve REST on --rest-port {port}, not {rest}.");
        var taskManagers = Enumerable.Range(1, 2)
            .Select(i => harness.Start($"taskmanager-{i}", Programs.WordCount, [.. job, "--role", "taskmanager", "--jobmanager", $"http://127.0.0.1:{port}", "--slots", "2"]))
            .ToList();

        await harness.ExpectExitZeroAsync([.. taskManagers, jobManager], TimeSpan.FromSeconds(90));
        ResultFiles.AssertSameAsEmbedded(harness, await expected, output);
        log.WriteLine(harness.Diagnostics());
    }
}
