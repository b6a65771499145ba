using System.Collections.Concurrent;
using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.TestSupport;
using Rill.Windowing;
using Xunit;

namespace Rill.Tests.Checkpointing;

/// <summary>
/// A checkpointed job that fails in the middle restarts from its latest checkpoint: keyed window state and source
/// positions come back, and the two-phase-committing file sink's committed output holds every result exactly once.
/// </summary>
public sealed class ExactlyOnceRecoveryTests : IDisposable
{
    private static readonly ConcurrentDictionary<string, int> Failures = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rill-eo-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task AFailedJobRestoresItsLatestCheckpointAndCommitsEveryWindowExactlyOnce(int parallelism)
    {
        const long count = 60_000;
        var output = Path.Combine(_root, "out");
        var token = Guid.NewGuid().ToString("N");
        var env = TestJobs.Env(parallelism);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(50));
        env.ConfigureCheckpointing(c => c with { Directory = Path.Combine(_root, "checkpoints") });
        env.Deployment = env.Deployment with { RestartStrategy = "fixed-delay:3:0.1" };
        env.FromSource(new DataGeneratorSource<long>(i => i, count, recordsPerSecond: 30_000),
                WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(x => x), "Numbers")
            // In the last reader's range (values ≥ failAt come from it alone), two thirds into it.
            .Map(new FailOnceAfterACommit(token, failAt: (count * (parallelism - 1) / parallelism) + (count / parallelism * 2 / 3) + 7, output)).Name("Fail Once")
            .KeyBy(x => x % 10)
            .Window(TumblingEventTimeWindows.Of<long>(TimeSpan.FromSeconds(1)))
            .Aggregate(new CountAggregate<long>(), (key, window, total) => $"{key},{window.Start},{total}")
            .SinkTo(new FileSink<string>(output), "Committed Output");

        await TestJobs.RunAsync(env, timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(1, Failures.GetValueOrDefault(token));
        var expected = Enumerable.Range(0, 10).SelectMany(key => Enumerable.Range(0, (int)(count / 1000)).Select(w => $"{key},{w * 1000},100")).Order(StringComparer.Ordinal);
        var committed = Directory.EnumerateFiles(output).Where(f => !Path.GetFileName(f).StartsWith('.')).SelectMany(File.ReadLines).Order(StringComparer.Ordinal);
        Assert.Equal(expected, committed);
        // The job finished: its checkpoints are no longer needed (they are removed right after the result is set).
        // Generous: a loaded 2-core machine can be slow to get to it, and the assertion is that it happens at all.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Directory.EnumerateDirectories(Path.Combine(_root, "checkpoints"), "chk-*", SearchOption.AllDirectories).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, "The finished job's checkpoints were not removed.");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Fails the job once, at the first record from <paramref name="failAt"/> on that comes after the sink committed
    /// something (so a restart from scratch would duplicate committed output).
    /// </summary>
    private sealed class FailOnceAfterACommit(string token, long failAt, string output) : IMapFunction<long, long>
    {
        public long Map(long value)
        {
            if (value >= failAt && !Failures.ContainsKey(token))
            {
                if (Directory.Exists(output) && Directory.EnumerateFiles(output, "part-*").Any() && Failures.TryAdd(token, 1))
                {
                    throw new InvalidOperationException("Injected failure.");
                }

                // Nothing committed yet (a loaded machine): slow down rather than let the rest pass without the failure.
                Thread.Sleep(1);
            }

            return value;
        }
    }
}
