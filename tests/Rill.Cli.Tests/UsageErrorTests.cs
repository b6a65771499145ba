namespace Rill.Cli.Tests;

/// <summary>
/// A wrong command line is exit code 2 with exactly one "error:" line on stderr and nothing on stdout, whoever finds
/// the mistake (System.CommandLine's parser or the command itself), and nothing is sent anywhere.
/// </summary>
[Collection(CliProcesses.Name)]
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData]
    [InlineData("lsit")]
    [InlineData("list", "--no-such-option")]
    [InlineData("run")]
    [InlineData("cancel")]
    [InlineData("cancel", "not-a-job-id")]
    [InlineData("cancel", "0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("info", "0123456789abcdef")]
    [InlineData("list", "--jobmanager", "localhost:8081")]
    [InlineData("list", "--jobmanager", "ftp://localhost:8081")]
    [InlineData("jobmanager", "--port", "eighty")]
    [InlineData("jobmanager", "--port", "70000")]
    [InlineData("jobmanager", "--bind-address", "not-an-ip")]
    [InlineData("jobmanager", "--heartbeat-timeout", "0")]
    [InlineData("jobmanager", "--auth-token", " ")]
    [InlineData("taskmanager")]
    [InlineData("taskmanager", "--jobmanager", "http://127.0.0.1:1", "--slots", "0")]
    [InlineData("savepoint")]
    [InlineData("savepoint", "not-a-job-id")]
    [InlineData("savepoint", "0123456789abcdef0123456789abcdef", "relative/savepoints")]
    [InlineData("savepoint", "0123456789abcdef0123456789abcdef", "/a", "/b")]
    [InlineData("stop")]
    [InlineData("stop", "0123456789abcdef0123456789abcdef", "--savepoint-path", "relative/savepoints")]
    [InlineData("stop", "0123456789abcdef0123456789abcdef", "--timeout", "0")]
    [InlineData("stop", "0123456789abcdef0123456789abcdef", "--drain")]
    public async Task IsExitCode2WithOneErrorLine(params string[] args)
    {
        var run = await CliProcess.RunRillAsync(args);

        AssertUsageError(run);
    }

    [Fact]
    public async Task RunOfAMissingDllNamesIt()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("missing.dll");

        var run = await CliProcess.RunRillAsync("run", missing);

        AssertUsageError(run);
        Assert.Contains(missing, run.ErrorLines[0]);
    }

    [Fact]
    public async Task RunOfADllThatIsNotAnApplicationSaysWhy()
    {
        using var dir = new TempDirectory();
        var library = dir.File("Library.dll");
        File.WriteAllBytes(library, [0x4d, 0x5a]);

        var run = await CliProcess.RunRillAsync("run", library);

        AssertUsageError(run);
        Assert.Contains("Library.runtimeconfig.json", run.ErrorLines[0]);
    }

    [Fact]
    public async Task AllowNonRestoredStateWithoutASavepointSaysWhatIsMissing()
    {
        var run = await CliProcess.RunRillAsync("run", Programs.AssemblyPath(Programs.WordCount), "--allow-non-restored-state", "--jobmanager", "http://127.0.0.1:1");

        AssertUsageError(run);
        Assert.Contains("--from-savepoint", run.ErrorLines[0]);
    }

    [Fact]
    public async Task ARelativeSavepointPathIsRefusedBecauseTheClusterResolvesIt()
    {
        var run = await CliProcess.RunRillAsync("run", Programs.AssemblyPath(Programs.WordCount), "--from-savepoint", "savepoints/sp-1", "--jobmanager", "http://127.0.0.1:1");

        AssertUsageError(run);
        Assert.Contains("'savepoints/sp-1' is not an absolute path", run.ErrorLines[0]);
    }

    [Theory]
    [InlineData("not-a-job-id")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    public async Task AMalformedJobIdForRunIsNamedAndNothingIsUploaded(string jobId)
    {
        var run = await CliProcess.RunRillAsync("run", Programs.AssemblyPath(Programs.WordCount), "--job-id", jobId, "--jobmanager", "http://127.0.0.1:1");

        AssertUsageError(run);
        Assert.Contains($"--job-id: '{jobId}' is not a job id", run.ErrorLines[0]);
    }

    [Fact]
    public async Task UnknownCommandIsNamedWithoutTheNoiseAboutAMissingOne()
    {
        var run = await CliProcess.RunRillAsync("lsit");

        AssertUsageError(run);
        Assert.Contains("'lsit'", run.ErrorLines[0]);
        Assert.DoesNotContain("Required command", run.ErrorLines[0]);
    }

    [Fact]
    public async Task TheTokenFromTheEnvironmentIsNeverPrintedInHelp()
    {
        var run = await CliProcess.RunAsync(Programs.Rill, ["list", "--help"], new Dictionary<string, string> { ["RILL_AUTH_TOKEN"] = "s3cret-token" });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("--auth-token", run.StandardOutput);
        Assert.DoesNotContain("s3cret-token", run.StandardOutput);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("run", "--help")]
    [InlineData("jobmanager", "--help")]
    [InlineData("taskmanager", "-h")]
    [InlineData("savepoint", "--help")]
    [InlineData("stop", "--help")]
    public async Task HelpSucceedsOnStdout(params string[] args)
    {
        var run = await CliProcess.RunRillAsync(args);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Usage:", run.StandardOutput);
        Assert.Empty(run.ErrorLines);
    }

    private static void AssertUsageError(CliRun run)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", error);
        Assert.Empty(run.OutputLines);
    }
}
