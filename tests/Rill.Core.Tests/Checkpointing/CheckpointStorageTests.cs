using Rill.Api;
using Rill.Checkpointing;
using Rill.EventTime;
using Rill.Functions;
using Rill.Runtime.MiniCluster;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.TestSupport;
using Xunit;

namespace Rill.Tests.Checkpointing;

/// <summary>Where checkpoints go and how long they stay; at-least-once checkpoints of a job that does not fail lose nothing either.</summary>
[Collection("Reactive")]
public sealed class CheckpointStorageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rill-storage-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task TheLastNCompletedCheckpointsAreKeptWhileTheJobRunsAndRemovedWhenItIsCanceled()
    {
        var checkpoints = Path.Combine(_root, "checkpoints");
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(2);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(50));
        env.ConfigureCheckpointing(c => c with { Directory = checkpoints, RetainedCheckpoints = 3 });
        env.FromSource(new DataGeneratorSource<long>(i => i, count: null, recordsPerSecond: 5000), WatermarkStrategy<long>.NoWatermarks(), "Numbers")
            .KeyBy(x => x % 7).Reduce((a, b) => a + b).SinkTo(new DiscardingSink<long>());
        var job = env.GetJobGraph("Retained");
        await using var cluster = new MiniCluster(new MiniClusterConfiguration { SlotsPerTaskManager = 2 });
        await cluster.StartAsync();
        var jobId = await cluster.Dispatcher.SubmitJobAsync(job);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await cluster.Dispatcher.RequestJobDetailsAsync(jobId)) is not { Checkpoints.Completed: >= 8 })
        {
            Assert.True(DateTime.UtcNow < deadline, "Eight checkpoints did not complete within 30 s.");
            await Task.Delay(20);
        }

        var jobDirectory = Path.Combine(checkpoints, jobId.ToString("N"));
        var complete = Directory.EnumerateDirectories(jobDirectory, "chk-*").Where(d => File.Exists(Path.Combine(d, "_metadata"))).ToList();
        Assert.InRange(complete.Count, 3, 4); // three retained, one more for a moment while the newest subsumes the oldest

        await cluster.Dispatcher.CancelJobAsync(jobId);
        await cluster.Dispatcher.RequestJobResultAsync(jobId).WaitAsync(TimeSpan.FromSeconds(30));
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.Exists(jobDirectory))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The canceled job's checkpoints are still there: {string.Join(", ", Directory.EnumerateFileSystemEntries(jobDirectory))}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task AtLeastOnceCheckpointsOfAJobWithoutFailuresCommitEveryResultOnce()
    {
        var output = Path.Combine(_root, "out");
        var env = TestJobs.Env(3);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(50), CheckpointingMode.AtLeastOnce);
        env.ConfigureCheckpointing(c => c with { Directory = Path.Combine(_root, "checkpoints") });
        env.FromSource(new DataGeneratorSource<long>(i => i, 30_000, recordsPerSecond: 30_000), WatermarkStrategy<long>.NoWatermarks(), "Numbers")
            .KeyBy(x => x % 10)
            .Process(new Total())
            .SinkTo(new FileSink<string>(output));

        await TestJobs.RunAsync(env);

        var committed = Directory.EnumerateFiles(output).Where(f => !Path.GetFileName(f).StartsWith('.')).SelectMany(File.ReadLines).ToList();
        Assert.Equal(30_000, committed.Count);
        Assert.Equal(Enumerable.Range(0, 30_000).Select(i => (long)i), committed.Select(l => long.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)).Order());
    }

    private sealed class Total : KeyedProcessFunction<long, long, string>
    {
        public override void ProcessElement(long value, Context context, ICollector<string> output) => output.Collect($"{value},{context.CurrentKey}");
    }
}
