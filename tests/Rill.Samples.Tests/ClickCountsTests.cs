using System.Globalization;

namespace Rill.Samples.Tests;

[Collection(SampleProcesses.Name)]
public sealed class ClickCountsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task CountsClicksPerUserInOneMinuteWindowsDespiteOutOfOrderClicks(int parallelism)
    {
        // Out of order by up to 5 s only, so no click can be late (the late-clicks test below says why): the output is
        // exact at any parallelism and however the watermarks happen to be timed.
        using var dir = new TempDirectory();
        var clicks = ClickInput.WithinOutOfOrderness(4_000, seed: 1);
        var input = dir.WriteLines("clicks.csv", clicks.Select(click => click.ToLine()));
        var output = dir.File("counts");

        var run = await Sample.RunAsync(Sample.ClickCounts, "--input", input, "--output", output, "--parallelism", $"{parallelism}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["late: 0"], run.ErrorLines);
        Assert.Empty(run.OutputLines);
        Assert.Equal(ClickInput.ExpectedLines(clicks), ResultFiles.ReadLines(output).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WritesTheSameLinesToStdoutWhenNoOutputDirectoryIsGiven()
    {
        using var dir = new TempDirectory();
        var clicks = ClickInput.WithinOutOfOrderness(4_000, seed: 2);
        var input = dir.WriteLines("clicks.csv", clicks.Select(click => click.ToLine()));

        var run = await Sample.RunAsync(Sample.ClickCounts, "--input", input, "--parallelism", "4");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["late: 0"], run.ErrorLines);
        Assert.Equal(ClickInput.ExpectedLines(clicks), run.OutputLines.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Which clicks are late is decided by wall-clock timing, so this test asserts only what timing cannot change.
    /// The window operator's watermark when a click reaches it is at most the watermark of the reader that read
    /// the click (the operator takes the minimum over its inputs), and that is the latest timestamp the reader
    /// has seen minus 5 s minus 1 ms; a reader reads its part of the file in order, so it has seen only clicks
    /// before this one. A click is late when the watermark has reached its window's last millisecond (end − 1).
    /// So a click can be late only if the latest timestamp before it is at least its window's end + 5 s: those are
    /// the "maybe late" clicks (here the hours-old ones). Whether one of them is late depends on whether a periodic
    /// watermark (every 200 ms of wall-clock time) went out between the later clicks and it; that is not
    /// deterministic. Deterministic: every other click is counted in its window, each maybe-late click is counted
    /// either in its window or as late (never both, never neither), and nothing else is late.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task LateClicksAreCountedAsLateInsteadOfInTheirWindowAndNoClickIsLostOrCountedTwice(int parallelism)
    {
        using var dir = new TempDirectory();
        var onTime = ClickInput.WithinOutOfOrderness(4_000, seed: 3);
        var clicks = new List<ClickEvent>();
        for (var i = 0; i < onTime.Count; i++)
        {
            clicks.Add(onTime[i]);
            if (i % 200 == 100)
            {
                // A phone that was offline for three hours sends its click now.
                clicks.Add(onTime[i] with { TimestampMillis = onTime[i].TimestampMillis - (long)TimeSpan.FromHours(3).TotalMilliseconds, Url = "/offline" });
            }
        }

        var maxBefore = ClickInput.MaxTimestampBefore(clicks);
        // Watermark (max before − 5 s − 1 ms) ≥ window end − 1 ⇔ max before ≥ window end + 5 s (in this form nothing overflows).
        var maybeLate = clicks.Where((click, i) =>
            maxBefore[i] >= ClickInput.WindowStart(click.TimestampMillis) + ClickInput.WindowMillis + ClickInput.OutOfOrdernessMillis).ToList();
        Assert.Equal(20, maybeLate.Count); // exactly the hours-old clicks
        var input = dir.WriteLines("clicks.csv", clicks.Select(click => click.ToLine()));
        var output = dir.File("counts");

        var run = await Sample.RunAsync(Sample.ClickCounts, "--input", input, "--output", output, "--parallelism", $"{parallelism}");

        Assert.True(run.ExitCode == 0, run.ToString());
        var late = LateCount(Assert.Single(run.ErrorLines));
        Assert.InRange(late, 0, maybeLate.Count);
        var counted = ClickInput.ParseOutput(ResultFiles.ReadLines(output));
        Assert.Equal(clicks.Count, counted.Values.Sum() + late);
        var all = ClickInput.CountPerWindowAndUser(clicks);
        var mayMiss = ClickInput.CountPerWindowAndUser(maybeLate);
        Assert.All(counted.Keys, key => Assert.Contains(key, all));
        Assert.All(all, entry => Assert.InRange(counted.GetValueOrDefault(entry.Key), entry.Value - mayMiss.GetValueOrDefault(entry.Key), entry.Value));
    }

    [Fact]
    public async Task RunsWithoutArgumentsOnABuiltInClickStreamThatHasLateClicks()
    {
        var run = await Sample.RunAsync(Sample.ClickCounts);

        Assert.True(run.ExitCode == 0, run.ToString());
        var late = LateCount(Assert.Single(run.ErrorLines));
        var counted = ClickInput.ParseOutput(run.OutputLines);
        // The documented generator: 3,000 clicks, every one either in a window or late.
        Assert.Equal(3_000, counted.Values.Sum() + late);
        // Its hour-old clicks come a second of paced wall-clock time into the stream, long after the first
        // periodic watermark (200 ms) has passed their windows, so some are late on every run.
        Assert.True(late > 0, run.ToString());
    }

    internal static long LateCount(string stderrLine)
    {
        Assert.StartsWith("late: ", stderrLine);
        return long.Parse(stderrLine["late: ".Length..], NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
