namespace Rill.Samples.Tests;

[Collection(SampleProcesses.Name)]
public sealed class ClickCountsBadInputTests
{
    /// <summary>
    /// The malformed line sits between 50 % and 75 % of the file's bytes, so at parallelism 4 the third of four
    /// readers reads it, starting in the middle of the file: its number must still count from the file's start.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task MalformedLineFailsTheRunWithFileAndLineNumberInTheWholeFile(int parallelism)
    {
        using var dir = new TempDirectory();
        var lines = ClickInput.WithinOutOfOrderness(4_000, seed: 4).Select(click => click.ToLine()).ToList();
        var index = 2_345;
        lines[index] = "1700000123456,bob,/profile";
        var input = dir.WriteLines("clicks.csv", lines);
        var offset = lines.Take(index).Sum(line => System.Text.Encoding.UTF8.GetByteCount(line) + 1);
        Assert.InRange(offset, new FileInfo(input).Length / 2, new FileInfo(input).Length * 3 / 4);
        var output = dir.File("counts");

        var run = await Sample.RunAsync(Sample.ClickCounts, "--input", input, "--output", output, "--parallelism", $"{parallelism}");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal([$"{input}:{index + 1}: user id 'bob' is not a number"], run.ErrorLines);
        Assert.Empty(run.OutputLines);
        Assert.Empty(ResultFiles.Names(output)); // a failed run publishes no results
    }

    [Theory]
    [InlineData("1700000000000;7;/home", "expected 'timestampMillis,userId,url'")]
    [InlineData("1700000000000,7", "expected 'timestampMillis,userId,url'")]
    [InlineData("", "expected 'timestampMillis,userId,url'")]
    [InlineData("abc,7,/home", "timestamp 'abc' is not a number")]
    [InlineData("1.7e12,7,/home", "timestamp '1.7e12' is not a number")]
    [InlineData("99999999999999999999,7,/home", "timestamp '99999999999999999999' is out of range")]
    [InlineData("1700000000000,alice,/home", "user id 'alice' is not a number")]
    [InlineData("1700000000000,,/home", "user id '' is not a number")]
    [InlineData("1700000000000,3000000000,/home", "user id '3000000000' is out of range (user ids are 32-bit integers)")]
    public async Task MalformedLineReasonSaysWhatIsWrong(string line, string reason)
    {
        using var dir = new TempDirectory();
        var input = dir.WriteLines("clicks.csv", ["1700000000000,1,/", "1700000001000,2,/a,b", line, "1700000002000,3,/"]);

        var run = await Sample.RunAsync(Sample.ClickCounts, "--input", input, "--parallelism", "1");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal([$"{input}:3: {reason}"], run.ErrorLines);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task SkipMalformedDropsAndCountsMalformedLinesAndCountsTheRest(int parallelism)
    {
        using var dir = new TempDirectory();
        var clicks = ClickInput.WithinOutOfOrderness(4_000, seed: 5);
        var lines = clicks.Select(click => click.ToLine()).ToList();
        lines[0] = "timestampMillis,userId,url"; // a header is just a malformed line
        lines[1_999] = "1700000123456,bob,/profile";
        lines[2_345] = "garbage";
        lines[^1] = "12:00,7,/late-night";
        var kept = clicks.Where((_, i) => i is not (0 or 1_999 or 2_345) && i != clicks.Count - 1);
        var input = dir.WriteLines("clicks.csv", lines);
        var output = dir.File("counts");

        var run = await Sample.RunAsync(Sample.ClickCounts, "--input", input, "--output", output, "--parallelism", $"{parallelism}", "--skip-malformed");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["skipped 4 malformed lines", "late: 0"], run.ErrorLines);
        Assert.Equal(ClickInput.ExpectedLines(kept), ResultFiles.ReadLines(output).Order(StringComparer.Ordinal));
    }
}
