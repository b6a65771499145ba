namespace Rill.Samples.Tests;

/// <summary>What both samples promise on the command line: exit code 0, 1 (the run failed) or 2 (usage), and on failure exactly one "error: " line on stderr.</summary>
[Collection(SampleProcesses.Name)]
public sealed class CommandLineTests
{
    public static TheoryData<string> Samples => [Sample.WordCount, Sample.ClickCounts];

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task MissingInputFileFailsWithExitCode1AndOneLineNamingIt(string sample)
    {
        using var dir = new TempDirectory();
        var missing = dir.File("no-such-file.txt");

        var run = await Sample.RunAsync(sample, "--input", missing, "--output", dir.File("out"));

        Assert.True(run.ExitCode == 1, run.ToString());
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", error);
        Assert.Contains(missing, error);
        Assert.Empty(run.OutputLines);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task UnknownOptionIsAUsageErrorWithExitCode2(string sample)
    {
        var run = await Sample.RunAsync(sample, "--ouput", "somewhere");

        Assert.True(run.ExitCode == 2, run.ToString());
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", error);
        Assert.Contains("--ouput", error);
        Assert.Empty(run.OutputLines);
    }

    [Theory]
    [InlineData(Sample.WordCount, "--parallelism", "0")]
    [InlineData(Sample.WordCount, "--parallelism", "four")]
    [InlineData(Sample.WordCount, "--input")]
    [InlineData(Sample.WordCount, "input.txt")]
    [InlineData(Sample.ClickCounts, "--parallelism", "-1")]
    [InlineData(Sample.ClickCounts, "--output", "")]
    [InlineData(Sample.ClickCounts, "--skip-malformed", "clicks.csv")]
    [InlineData(Sample.ClickCounts, "--parallelism", "2", "--parallelism", "3")]
    public async Task BadOptionValueIsAUsageErrorWithExitCode2(string sample, params string[] args)
    {
        var run = await Sample.RunAsync(sample, args);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: ", Assert.Single(run.ErrorLines));
        Assert.Empty(run.OutputLines);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task RefusesAnOutputDirectoryThatAlreadyHoldsResultsAndLeavesThemAlone(string sample)
    {
        using var dir = new TempDirectory();
        var input = dir.WriteLines("input.txt", ["1700000000000,1,/home"]);
        var output = dir.File("out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "part-0-0"), "earlier results\n");

        var run = await Sample.RunAsync(sample, "--input", input, "--output", output);

        Assert.True(run.ExitCode == 1, run.ToString());
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", error);
        Assert.Contains(output, error);
        Assert.Equal(["part-0-0"], Directory.EnumerateFiles(output).Select(Path.GetFileName));
        Assert.Equal("earlier results\n", File.ReadAllText(Path.Combine(output, "part-0-0")));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task FilesWhoseNamesStartWithADotAreNotResultsSoTheDirectoryIsUsable(string sample)
    {
        using var dir = new TempDirectory();
        var input = dir.WriteLines("input.txt", ["1700000000000,1,/home"]);
        var output = dir.File("out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, ".part-0-0.inprogress"), "left by a failed run\n");

        var run = await Sample.RunAsync(sample, "--input", input, "--output", output, "--parallelism", "1");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.NotEmpty(ResultFiles.ReadLines(output));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task HelpPrintsTheUsageAndSucceeds(string sample)
    {
        var run = await Sample.RunAsync(sample, "--help");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"usage: {sample} ", Assert.Single(run.OutputLines));
        Assert.Empty(run.ErrorLines);
    }
}
