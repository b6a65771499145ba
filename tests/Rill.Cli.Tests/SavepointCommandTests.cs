using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rill.Cli.Tests;

/// <summary>
/// <c>rill savepoint</c>, <c>rill stop</c> and <c>rill run --from-savepoint</c> against a real session cluster running a
/// job that checkpoints every 100 ms.
/// </summary>
[Collection(CliProcesses.Name)]
public sealed partial class SavepointCommandTests
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task SavepointPrintsItsPathWhileTheJobRunsAndStopTakesAnotherAndFinishesTheJob()
    {
        using var dir = new TempDirectory();
        await using var cluster = await SessionCluster.StartWithTaskManagerAsync(slots: 2);
        var jobId = await RunCheckpointedJobAsync(cluster, dir);

        var savepoint = await CliProcess.RunAsync(Programs.Rill, ["savepoint", jobId, dir.File("savepoints"), "--jobmanager", cluster.Url], timeout: CommandTimeout);

        Assert.True(savepoint.ExitCode == 0, savepoint.ToString());
        Assert.Empty(savepoint.ErrorLines);
        var path = SavepointPath(Assert.Single(savepoint.OutputLines));
        Assert.Equal(dir.File("savepoints"), Path.GetDirectoryName(path));
        Assert.True(File.Exists(Path.Combine(path, "_metadata")), savepoint.ToString());
        Assert.Equal("RUNNING", await cluster.JobStateAsync(jobId));

        var stop = await CliProcess.RunAsync(Programs.Rill, ["stop", jobId, "--savepoint-path", dir.File("final"), "--jobmanager", cluster.Url], timeout: CommandTimeout);

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Empty(stop.ErrorLines);
        Assert.Equal(2, stop.OutputLines.Count);
        var finalPath = SavepointPath(stop.OutputLines[0]);
        Assert.Equal(dir.File("final"), Path.GetDirectoryName(finalPath));
        Assert.True(File.Exists(Path.Combine(finalPath, "_metadata")), stop.ToString());
        Assert.Equal($"Job {jobId} FINISHED.", stop.OutputLines[1]);
        Assert.Equal("FINISHED", await cluster.JobStateAsync(jobId));

        // An ended job takes no savepoint: the server's reason, one line, exit code 1.
        var late = await CliProcess.RunRillAsync("savepoint", jobId, "--jobmanager", cluster.Url);

        Assert.True(late.ExitCode == 1, late.ToString());
        var error = Assert.Single(late.ErrorLines);
        Assert.StartsWith("error: ", error);
        Assert.Contains("FINISHED", error);
        Assert.Empty(late.OutputLines);
    }

    /// <summary>
    /// A program whose job runs embedded (or an application cluster) exits with its job, and its REST API with it: once the
    /// savepoint is complete, that is the stop working, as Flink's stop ends with the savepoint.
    /// </summary>
    [Fact]
    public async Task StopOfAJobWhoseJobManagerExitsWithItSucceedsOnceTheSavepointIsComplete()
    {
        using var dir = new TempDirectory();
        var input = dir.File("clicks.csv");
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await File.WriteAllLinesAsync(input, Enumerable.Range(0, 200).Select(i => $"{start + (i * 100)},{i % 5},/page{i % 3}"));
        var restPort = FreePort.Next();
        using var program = CliProcess.Start(Programs.ClickCounts,
            ["--input", input, "--follow", "--output", dir.File("out"), "--checkpointing", "100", "--checkpoint-dir", dir.File("chk"), "--rest-port", $"{restPort}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restPort}/"), Timeout = TimeSpan.FromSeconds(5) };
        var jobId = await WaitForRunningJobAsync(http, program);

        var stop = await CliProcess.RunAsync(Programs.Rill, ["stop", jobId, "--savepoint-path", dir.File("final"), "--jobmanager", $"http://127.0.0.1:{restPort}"], timeout: CommandTimeout);

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Empty(stop.ErrorLines);
        var path = SavepointPath(stop.OutputLines[0]);
        Assert.True(File.Exists(Path.Combine(path, "_metadata")), stop.ToString());
        var exited = await program.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exited.ExitCode == 0, exited.ToString());
    }

    private static async Task<string> WaitForRunningJobAsync(HttpClient http, CliProcess program)
    {
        var deadline = DateTime.UtcNow + CommandTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (program.HasExited)
            {
                Assert.Fail($"The program exited: {await program.WaitForExitAsync(TimeSpan.FromSeconds(5))}");
            }

            try
            {
                using var jobs = JsonDocument.Parse(await http.GetStringAsync("jobs"));
                if (jobs.RootElement.GetProperty("jobs").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } job
                    && job.GetProperty("status").GetString() == "RUNNING")
                {
                    return job.GetProperty("id").GetString()!;
                }
            }
            catch (HttpRequestException)
            {
                // The REST API is not up yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"No running job: {await program.OutputSoFarAsync()}");
    }

    [Fact]
    public async Task ASavepointThatFailsIsExitCode1WithItsCauseInOneLine()
    {
        using var dir = new TempDirectory();
        await using var cluster = await SessionCluster.StartWithTaskManagerAsync(slots: 2);
        var jobId = await RunCheckpointedJobAsync(cluster, dir);
        // A file where the savepoint's parent directory should be: the cluster cannot create the savepoint's directory.
        var blocker = dir.File("not-a-directory");
        File.WriteAllText(blocker, "x");

        var run = await CliProcess.RunAsync(Programs.Rill, ["savepoint", jobId, Path.Combine(blocker, "savepoints"), "--jobmanager", cluster.Url], timeout: CommandTimeout);

        Assert.True(run.ExitCode == 1, run.ToString());
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"error: the savepoint of job {jobId} failed: ", error);
        Assert.Contains(blocker, error);
        Assert.DoesNotContain(" at ", error);
        Assert.Empty(run.OutputLines);
        Assert.Equal("RUNNING", await cluster.JobStateAsync(jobId));
    }

    [Fact]
    public async Task RunFromASavepointThatIsNotThereIsExitCode1NamingThePath()
    {
        using var dir = new TempDirectory();
        await using var cluster = await SessionCluster.StartAsync();

        var run = await CliProcess.RunAsync(Programs.Rill,
            ["run", Programs.AssemblyPath(Programs.CheckpointedCounter), "--jobmanager", cluster.Url, "--from-savepoint", "/does/not/exist", "--",
                "--checkpoint-dir", dir.File("checkpoints")],
            timeout: CommandTimeout);

        Assert.True(run.ExitCode == 1, run.ToString());
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", error);
        Assert.Contains("'/does/not/exist'", error);
        Assert.Empty(run.OutputLines);
        using var jobs = JsonDocument.Parse(await cluster.Http.GetStringAsync("jobs"));
        Assert.Empty(jobs.RootElement.GetProperty("jobs").EnumerateArray());
    }

    /// <summary>Submits the checkpointing job detached and returns its id once a checkpoint of it has completed.</summary>
    private static async Task<string> RunCheckpointedJobAsync(SessionCluster cluster, TempDirectory dir)
    {
        var run = await CliProcess.RunAsync(Programs.Rill,
            ["run", Programs.AssemblyPath(Programs.CheckpointedCounter), "--jobmanager", cluster.Url, "--detached", "--", "--checkpoint-dir", dir.File("checkpoints")],
            timeout: CommandTimeout);
        Assert.True(run.ExitCode == 0, run.ToString());
        var match = Submitted().Match(Assert.Single(run.OutputLines));
        Assert.True(match.Success, run.ToString());
        var jobId = match.Groups[1].Value;
        await cluster.WaitUntilAsync($"a checkpoint of job {jobId} completes", async () =>
        {
            using var response = await cluster.Http.GetAsync($"jobs/{jobId}/checkpoints");
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            using var stats = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return stats.RootElement.GetProperty("counts").GetProperty("completed").GetInt32() >= 1;
        });
        return jobId;
    }

    private static string SavepointPath(string line)
    {
        const string prefix = "Savepoint completed. Path: ";
        Assert.StartsWith(prefix, line);
        return line[prefix.Length..];
    }

    [GeneratedRegex("^Job has been submitted with JobID ([0-9a-f]{32})$")]
    private static partial Regex Submitted();
}
