using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rill.Cli.Tests;

/// <summary>
/// <c>rill run</c> end to end: the WordCount sample is zipped, uploaded to a real session cluster, planned and run
/// there, and must produce exactly what the same program produces embedded.
/// </summary>
[Collection(CliProcesses.Name)]
public sealed partial class RunCommandTests
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task RunsWordCountOnTheClusterWithTheSameResultsAsEmbedded()
    {
        using var dir = new TempDirectory();
        var input = WriteInput(dir, lines: 2_000, seed: 11);
        var output = dir.File("counts");
        await using var cluster = await SessionCluster.StartWithTaskManagerAsync(slots: 4);

        var run = await CliProcess.RunAsync(Programs.Rill,
            ["run", Programs.AssemblyPath(Programs.WordCount), "--jobmanager", cluster.Url, "--", "--input", input, "--output", output, "--parallelism", "4"],
            timeout: JobTimeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.ErrorLines);
        var jobId = SubmittedJobId(run);
        Assert.Equal(2, run.OutputLines.Count);
        Assert.StartsWith($"Job {jobId} FINISHED in ", run.OutputLines[1]);

        var embedded = await CliProcess.RunAsync(Programs.WordCount, ["--input", input, "--parallelism", "4"], timeout: JobTimeout);
        Assert.True(embedded.ExitCode == 0, embedded.ToString());
        Assert.NotEmpty(embedded.OutputLines);
        Assert.Equal(embedded.OutputLines.Order(StringComparer.Ordinal), ResultLines(output));

        using var details = JsonDocument.Parse(await cluster.Http.GetStringAsync($"jobs/{jobId}"));
        Assert.Equal("FINISHED", details.RootElement.GetProperty("state").GetString());
        Assert.All(details.RootElement.GetProperty("vertices").EnumerateArray(), v => Assert.Equal(4, v.GetProperty("parallelism").GetInt32()));

        var list = await CliProcess.RunRillAsync("list", "--jobmanager", cluster.Url);
        Assert.True(list.ExitCode == 0, list.ToString());
        var row = Assert.Single(list.OutputLines, line => line.StartsWith(jobId, StringComparison.Ordinal));
        Assert.Contains("FINISHED", row);
        Assert.Contains("WordCount", row);

        var info = await CliProcess.RunRillAsync("info", jobId, "--jobmanager", cluster.Url);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains(jobId, info.OutputLines[0]);
        Assert.Contains("State: FINISHED", info.StandardOutput);
    }

    [Fact]
    public async Task DetachedReturnsOnceSubmittedAndTheParallelismAndJobIdOptionsReachTheJob()
    {
        using var dir = new TempDirectory();
        var input = WriteInput(dir, lines: 200, seed: 3);
        await using var cluster = await SessionCluster.StartWithTaskManagerAsync(slots: 2);
        var jobId = Guid.NewGuid().ToString("N");

        var run = await CliProcess.RunAsync(Programs.Rill,
            ["run", Programs.AssemblyPath(Programs.WordCount), "--jobmanager", cluster.Url, "--detached", "--parallelism", "2", "--job-id", jobId, "--",
                "--input", input, "--output", dir.File("counts")],
            timeout: JobTimeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.ErrorLines);
        Assert.Equal(jobId, SubmittedJobId(run));
        Assert.Single(run.OutputLines);

        JsonElement details = default;
        await cluster.WaitUntilAsync($"job {jobId} is FINISHED", async () =>
        {
            using var body = JsonDocument.Parse(await cluster.Http.GetStringAsync($"jobs/{jobId}"));
            details = body.RootElement.Clone();
            return details.GetProperty("state").GetString() == "FINISHED";
        });
        Assert.All(details.GetProperty("vertices").EnumerateArray(), v => Assert.Equal(2, v.GetProperty("parallelism").GetInt32()));
    }

    [Fact]
    public async Task ARunWhoseAnswerIsLostIsSentAgainUnderTheSameIdAndStartsOneJob()
    {
        using var dir = new TempDirectory();
        var input = WriteInput(dir, lines: 200, seed: 7);
        await using var cluster = await SessionCluster.StartWithTaskManagerAsync(slots: 1);
        await using var proxy = new AnswerDroppingProxy(cluster.Url, requestLineMarker: "/run HTTP/1.1");

        // No --job-id: the id rill makes up is what makes its retry safe.
        var run = await CliProcess.RunAsync(Programs.Rill,
            ["run", Programs.AssemblyPath(Programs.WordCount), "--jobmanager", proxy.Url, "--detached", "--parallelism", "1", "--",
                "--input", input, "--output", dir.File("counts")],
            timeout: JobTimeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(1, proxy.Dropped);
        var jobId = SubmittedJobId(run);
        var retry = Assert.Single(run.ErrorLines);
        Assert.StartsWith("warning: lost the connection to the JobManager", retry);
        Assert.EndsWith($"; sending the run of job {jobId} again in 1 s (retry 1 of 3).", retry);
        using var jobs = JsonDocument.Parse(await cluster.Http.GetStringAsync("jobs"));
        Assert.Equal([jobId], jobs.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
        await cluster.WaitUntilAsync($"job {jobId} is FINISHED", async () => await cluster.JobStateAsync(jobId) == "FINISHED");
    }

    [Fact]
    public async Task ARunThatNeverGetsAnAnswerGivesUpAfterThreeRetriesNamingTheJobWhichRanOnce()
    {
        using var dir = new TempDirectory();
        var input = WriteInput(dir, lines: 50, seed: 9);
        await using var cluster = await SessionCluster.StartWithTaskManagerAsync(slots: 1);
        await using var proxy = new AnswerDroppingProxy(cluster.Url, requestLineMarker: "/run HTTP/1.1", drops: int.MaxValue);
        var jobId = Guid.NewGuid().ToString("N");

        var run = await CliProcess.RunAsync(Programs.Rill,
            ["run", Programs.AssemblyPath(Programs.WordCount), "--jobmanager", proxy.Url, "--job-id", jobId, "--parallelism", "1", "--",
                "--input", input, "--output", dir.File("counts")],
            timeout: JobTimeout);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Empty(run.OutputLines);
        Assert.Equal(4, proxy.Dropped);
        Assert.Equal(4, run.ErrorLines.Count);
        Assert.All(run.ErrorLines.Take(3), line => Assert.StartsWith("warning: ", line));
        Assert.StartsWith("error: ", run.ErrorLines[3]);
        Assert.Contains($"gave up after 3 retries. Job {jobId} may have started: 'rill info {jobId}' tells.", run.ErrorLines[3]);
        // Four runs reached the JobManager; one job came of them.
        using var jobs = JsonDocument.Parse(await cluster.Http.GetStringAsync("jobs"));
        Assert.Equal([jobId], jobs.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task AProgramThatFailsBeforeDefiningAJobIsExitCode1WithTheServersReason()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("no-such-input.txt");
        await using var cluster = await SessionCluster.StartWithTaskManagerAsync(slots: 1);

        var run = await CliProcess.RunAsync(Programs.Rill,
            ["run", Programs.AssemblyPath(Programs.WordCount), "--jobmanager", cluster.Url, "--", "--input", missing], timeout: JobTimeout);

        Assert.True(run.ExitCode == 1, run.ToString());
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", error);
        Assert.Contains(missing, error);
        Assert.Empty(run.OutputLines);
    }

    [Fact]
    public async Task CtrlCStopsWaitingButNotTheJobWhichRillCancelThenCancels()
    {
        using var dir = new TempDirectory();
        var input = WriteInput(dir, lines: 1_000, seed: 5);
        await using var cluster = await SessionCluster.StartWithTaskManagerAsync(slots: 2);
        // Throttled to 5 lines per second and subtask: the job runs for far longer than the test needs it to.
        using var client = CliProcess.StartRill("run", Programs.AssemblyPath(Programs.WordCount), "--jobmanager", cluster.Url, "--",
            "--input", input, "--output", dir.File("counts"), "--lines-per-second", "5");
        string? jobId = null;
        await cluster.WaitUntilAsync("the job is submitted", async () =>
        {
            using var jobs = JsonDocument.Parse(await cluster.Http.GetStringAsync("jobs"));
            jobId = jobs.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()).SingleOrDefault();
            return jobId is not null;
        }, client);
        // The job's own state, not GET /jobs' status (which says RUNNING from submission on, while the job is still CREATED).
        await cluster.WaitUntilAsync("the job is RUNNING", async () => await cluster.JobStateAsync(jobId!) == "RUNNING", client);

        client.Signal("INT");

        var run = await client.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal($"Job has been submitted with JobID {jobId}", Assert.Single(run.OutputLines));
        Assert.Contains($"rill cancel {jobId}", Assert.Single(run.ErrorLines));
        Assert.Equal("RUNNING", await cluster.JobStateAsync(jobId!));

        var cancel = await CliProcess.RunRillAsync("cancel", jobId!, "--jobmanager", cluster.Url);

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal($"Cancellation of job {jobId} requested.", Assert.Single(cancel.OutputLines));
        await cluster.WaitUntilAsync($"job {jobId} is CANCELED", async () => await cluster.JobStateAsync(jobId!) == "CANCELED");
    }

    /// <summary>The first stdout line is the submission, in Flink's words, with the id scripts pick up.</summary>
    private static string SubmittedJobId(CliRun run)
    {
        Assert.NotEmpty(run.OutputLines);
        var match = Submitted().Match(run.OutputLines[0]);
        Assert.True(match.Success, run.ToString());
        return match.Groups[1].Value;
    }

    private static string WriteInput(TempDirectory dir, int lines, int seed)
    {
        string[] words = ["Hello", "hello", "Straße", "Жук", "naïve", "日本語", "abc123", "2024", "Rill", "rill", "don't", "e-mail", "x²"];
        var random = new Random(seed);
        var path = dir.File("input.txt");
        File.WriteAllLines(path, Enumerable.Range(0, lines)
            .Select(_ => string.Join(random.Next(2) == 0 ? " " : ", ", Enumerable.Range(0, random.Next(0, 12)).Select(_ => words[random.Next(words.Length)]))));
        return path;
    }

    /// <summary>Every file of the output directory whose name does not start with a dot is results, as users are told.</summary>
    private static IEnumerable<string> ResultLines(string directory) =>
        Directory.EnumerateFiles(directory)
            .Where(file => !Path.GetFileName(file).StartsWith('.'))
            .SelectMany(File.ReadAllLines)
            .Order(StringComparer.Ordinal);

    [GeneratedRegex("^Job has been submitted with JobID ([0-9a-f]{32})$")]
    private static partial Regex Submitted();
}
