namespace Rill.Cli.Tests;

/// <summary>A client command whose JobManager is not there fails with exit code 1 and one line naming the URL it tried.</summary>
[Collection(CliProcesses.Name)]
public sealed class UnreachableJobManagerTests
{
    [Theory]
    [InlineData("list")]
    [InlineData("taskmanagers")]
    [InlineData("info", "0123456789abcdef0123456789abcdef")]
    [InlineData("cancel", "0123456789abcdef0123456789abcdef")]
    public async Task IsExitCode1WithOneLineNamingTheUrl(params string[] args)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";

        var run = await CliProcess.RunRillAsync([.. args, "--jobmanager", url]);

        Assert.True(run.ExitCode == 1, run.ToString());
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", error);
        Assert.Contains(url, error);
        Assert.Empty(run.OutputLines);
    }

    [Fact]
    public async Task TheUrlMayComeFromTheEnvironment()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";

        var run = await CliProcess.RunAsync(Programs.Rill, ["list"], new Dictionary<string, string> { ["RILL_JOBMANAGER"] = url });

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(url, Assert.Single(run.ErrorLines));
    }
}
