using System.Security.Cryptography;
using Rill.Api;
using Rill.Checkpointing;
using Rill.EventTime;
using Rill.Functions;
using Rill.Graph;
using Rill.Runtime.Messages;
using Rill.Runtime.MiniCluster;
using Rill.Sinks;
using Rill.Sources;
using Rill.State;
using Rill.Windowing;
using Xunit;

namespace Rill.Tests.Checkpointing;

/// <summary>
/// Savepoints end to end: stop a job with a savepoint, start the program again from it at another parallelism, and the
/// keyed state and source positions carry on exactly; savepoints that cannot be restored are refused with the reason
/// and leave the savepoint's files alone.
/// </summary>
[Collection("Reactive")]
public sealed class SavepointRestoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rill-savepoint-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task AJobStoppedWithASavepointResumesAtAnotherParallelismWithExactlyItsState()
    {
        var output = Path.Combine(_root, "out");
        var first = await RunUntilStoppedAsync(Job(parallelism: 1, output));
        var second = await RunUntilStoppedAsync(Job(parallelism: 3, output, first));
        await RunUntilStoppedAsync(Job(parallelism: 2, output, second));

        var lines = Directory.EnumerateFiles(output).Where(f => !Path.GetFileName(f).StartsWith('.')).SelectMany(File.ReadLines)
            .Select(l => l.Split(',').Select(long.Parse).ToArray()).ToList();
        Assert.True(lines.Count > 300, $"Only {lines.Count} results were committed.");
        // The generator's one sequence continued where each stop left it: every number once, no gap.
        Assert.Equal(Enumerable.Range(0, lines.Count).Select(i => (long)i), lines.Select(l => l[1]).Order());
        // Each key's count went on from its restored value, whichever subtask owned the key in each run.
        foreach (var key in lines.GroupBy(l => l[0]))
        {
            Assert.Equal(Enumerable.Range(1, key.Count()).Select(c => (long)c), key.Select(l => l[2]).Order());
        }
    }

    /// <summary>
    /// Stop with a savepoint does not drain (Flink's stop without --drain; reactive mode rescales this way): a window that is
    /// still open goes into the savepoint and is not fired with the counts so far, which a sink would already have sent on.
    /// </summary>
    [Fact]
    public async Task StoppingWithASavepointFiresNoWindowThatIsStillOpen()
    {
        var windows = new CollectSink<(int Key, long Count)>();
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(2);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(100));
        env.ConfigureCheckpointing(c => c with { Directory = Path.Combine(_root, "checkpoints") });
        // Event time is the record's index in milliseconds: a second of it per second, far from the hour window's end.
        env.FromSource(new DataGeneratorSource<long>(i => i, count: null, recordsPerSecond: 1000), WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(x => x), "Numbers")
            .KeyBy(x => (int)(x % 5))
            .Window(TumblingEventTimeWindows.Of<long>(TimeSpan.FromHours(1)))
            .Aggregate(new CountAggregate<long>(), (key, _, count) => (key, count))
            .SinkTo(windows, "Windows");

        var savepoint = await RunUntilStoppedAsync(env.GetJobGraph("Open Windows"));

        Assert.True(Directory.Exists(savepoint));
        Assert.Empty(windows.Values);
    }

    [Fact]
    public async Task SavepointsThatCannotBeRestoredAreRefusedWithTheReasonAndLeftUntouched()
    {
        var savepoint = await RunUntilStoppedAsync(Job(parallelism: 2, Path.Combine(_root, "out")));
        var before = Snapshot(savepoint);
        await using var cluster = await StartClusterAsync(4);

        var missing = await Assert.ThrowsAsync<CheckpointException>(() => cluster.Dispatcher.SubmitJobAsync(Job(2, Path.Combine(_root, "o1"), Path.Combine(_root, "nowhere"))));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);

        var maxParallelism = await Assert.ThrowsAsync<CheckpointException>(() => cluster.Dispatcher.SubmitJobAsync(Job(2, Path.Combine(_root, "o2"), savepoint, maxParallelism: 64)));
        Assert.Contains("max parallelism", maxParallelism.Message, StringComparison.Ordinal);

        var unmatched = await Assert.ThrowsAsync<CheckpointException>(() => cluster.Dispatcher.SubmitJobAsync(Job(2, Path.Combine(_root, "o3"), savepoint, counterUid: "renamed")));
        Assert.Contains("allow-non-restored-state", unmatched.Message, StringComparison.Ordinal);

        var corrupt = Path.Combine(_root, "corrupt");
        Directory.CreateDirectory(corrupt);
        foreach (var file in Directory.EnumerateFiles(savepoint))
        {
            File.Copy(file, Path.Combine(corrupt, Path.GetFileName(file)));
        }

        await File.WriteAllTextAsync(Path.Combine(corrupt, "_metadata"), "{ not json");
        var bad = await Assert.ThrowsAsync<CheckpointException>(() => cluster.Dispatcher.SubmitJobAsync(Job(2, Path.Combine(_root, "o4"), corrupt)));
        Assert.Contains("corrupt", bad.Message, StringComparison.Ordinal);

        Assert.Equal(before, Snapshot(savepoint));
        // Dropping the unmatched state is allowed on request: the renamed operator starts empty.
        var allowed = Job(2, Path.Combine(_root, "o5"), savepoint, counterUid: "renamed");
        allowed.SavepointRestore = allowed.SavepointRestore! with { AllowNonRestoredState = true };
        var jobId = await cluster.Dispatcher.SubmitJobAsync(allowed);
        await cluster.Dispatcher.CancelJobAsync(jobId);
        Assert.Equal(before, Snapshot(savepoint));
    }

    private static Dictionary<string, string> Snapshot(string directory) => Directory.EnumerateFiles(directory)
        .ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private JobGraph Job(int parallelism, string output, string? fromSavepoint = null, int maxParallelism = 128, string counterUid = "counter")
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(parallelism).SetMaxParallelism(maxParallelism);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(100));
        env.ConfigureCheckpointing(c => c with { Directory = Path.Combine(_root, "checkpoints") });
        env.FromSource(new DataGeneratorSource<long>(i => i, count: null, recordsPerSecond: 2000), WatermarkStrategy<long>.NoWatermarks(), "Numbers").Uid("numbers")
            .KeyBy(x => (int)(x % 13))
            .Process(new CountPerKey()).Uid(counterUid)
            .SinkTo(new FileSink<string>(output), "Committed Output").Uid("output");
        var job = env.GetJobGraph("Savepointed Counts");
        job.SavepointRestore = fromSavepoint is null ? null : new SavepointRestoreSettings(fromSavepoint);
        return job;
    }

    private static async Task<MiniCluster> StartClusterAsync(int slots)
    {
        var cluster = new MiniCluster(new MiniClusterConfiguration { NumberOfTaskManagers = 1, SlotsPerTaskManager = slots });
        await cluster.StartAsync();
        return cluster;
    }

    /// <summary>Runs the job until a few checkpoints completed, stops it with a savepoint and returns the savepoint's directory.</summary>
    private async Task<string> RunUntilStoppedAsync(JobGraph job)
    {
        await using var cluster = await StartClusterAsync(job.RequiredSlots);
        var jobId = await cluster.Dispatcher.SubmitJobAsync(job);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await cluster.Dispatcher.RequestJobDetailsAsync(jobId)) is not { Checkpoints.Completed: >= 3 })
        {
            Assert.True(DateTime.UtcNow < deadline, "The job did not complete three checkpoints within 30 s.");
            await Task.Delay(50);
        }

        var savepoint = await ((Rill.Runtime.Dispatcher.Dispatcher)cluster.Dispatcher).TriggerSavepointAsync(jobId, Path.Combine(_root, "savepoints"), terminate: true);
        var result = await cluster.Dispatcher.RequestJobResultAsync(jobId).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(JobStatus.Finished, result.Status);
        Assert.True(File.Exists(Path.Combine(savepoint, "_metadata")));
        return savepoint;
    }
}
