namespace Rill.Samples.Tests;

[Collection(SampleProcesses.Name)]
public sealed class WordCountTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task CountsEveryWordOfTheInputFileOnceWithItsFinalCount(int parallelism)
    {
        using var dir = new TempDirectory();
        var lines = WordCountInput.Lines(3_000, seed: 42);
        var input = dir.WriteLines("text.txt", lines);
        var output = dir.File("counts");

        var run = await Sample.RunAsync(Sample.WordCount, "--input", input, "--output", output, "--parallelism", $"{parallelism}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.ErrorLines);
        Assert.Empty(run.OutputLines);
        Assert.Equal(WordCountInput.ExpectedCounts(lines), ResultFiles.ReadLines(output).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WritesTheSameLinesToStdoutWhenNoOutputDirectoryIsGiven()
    {
        using var dir = new TempDirectory();
        var lines = WordCountInput.Lines(500, seed: 7);
        var input = dir.WriteLines("text.txt", lines);

        // Parallelism 4: Print() would prefix "N> " per subtask; results on stdout must not.
        var run = await Sample.RunAsync(Sample.WordCount, "--input", input, "--parallelism", "4");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.ErrorLines);
        Assert.Equal(WordCountInput.ExpectedCounts(lines), run.OutputLines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CountsTheBuiltInTextWhenRunWithoutArguments()
    {
        var run = await Sample.RunAsync(Sample.WordCount);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.ErrorLines);
        var counts = run.OutputLines.Select(line => line.Split('\t')).ToDictionary(parts => parts[0], parts => long.Parse(parts[1]));
        // Hamlet's soliloquy, as in Flink's example: "To be, or not to be,--that is the question", later
        // "Devoutly to be wish'd" and "Be all my sins remember'd".
        Assert.Equal(1, counts["question"]);
        Assert.Equal(4, counts["be"]);
        Assert.All(counts.Keys, word => Assert.Equal(word.ToLowerInvariant(), word));
    }

    [Fact]
    public async Task EmptyInputFileSucceedsWithAnEmptyOutputDirectory()
    {
        using var dir = new TempDirectory();
        var input = dir.WriteLines("empty.txt", []);
        var output = dir.File("counts");

        var run = await Sample.RunAsync(Sample.WordCount, "--input", input, "--output", output, "--parallelism", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.ErrorLines);
        Assert.True(Directory.Exists(output));
        Assert.Empty(ResultFiles.Names(output));
    }
}
