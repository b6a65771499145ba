using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Runtime.Messages;
using Rill.Runtime.MiniCluster;
using Rill.Runtime.Scheduler;
using Rill.Sinks;
using Rill.Sources;
using Rill.State;
using Xunit;

namespace Rill.Tests.Checkpointing;

/// <summary>
/// Reactive mode in one process: the job runs at the parallelism the TaskManagers' slots allow and rescales, with its
/// keyed state and source positions, when TaskManagers join, leave (SIGTERM) or die; the exactly-once file sink never
/// commits a record twice or loses one across the rescales.
/// </summary>
[Collection("Reactive")]
public sealed class ReactiveModeTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rill-reactive-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task TheJobGrowsWithJoiningTaskManagersShrinksForLeavingAndLostOnesAndKeepsItsStateExactlyOnce()
    {
        var output = Path.Combine(_root, "out");
        await using var cluster = new MiniCluster(new MiniClusterConfiguration
        {
            NumberOfTaskManagers = 1,
            SlotsPerTaskManager = 2,
            RestartStrategy = RestartStrategies.FixedDelay(10, TimeSpan.FromMilliseconds(200)),
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        });
        await cluster.StartAsync();
        var env = StreamExecutionEnvironment.GetExecutionEnvironment();
        env.Deployment = new DeploymentOptions { SchedulerMode = "reactive", ResourceStabilizationTimeout = TimeSpan.FromMilliseconds(300), MinRescaleInterval = TimeSpan.Zero };
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(100));
        env.ConfigureCheckpointing(c => c with { Directory = Path.Combine(_root, "checkpoints") });
        env.FromSource(new DataGeneratorSource<long>(i => i, count: null, recordsPerSecond: 4000), WatermarkStrategy<long>.NoWatermarks(), "Numbers").Uid("numbers")
            .KeyBy(x => (int)(x % 20))
            .Process(new CountPerKey()).Uid("count-per-key")
            .SinkTo(new FileSink<string>(output), "Committed Output").Uid("output");
        var jobId = await cluster.Dispatcher.SubmitJobAsync(env.GetJobGraph("Reactive Counts"));

        await WaitForParallelismAsync(cluster, jobId, 2);
        await cluster.AddTaskManagerAsync();
        await WaitForParallelismAsync(cluster, jobId, 4);
        await cluster.AddTaskManagerAsync();
        await WaitForParallelismAsync(cluster, jobId, 6);
        Assert.True(await cluster.LeaveTaskManagerAsync(0, Within), "The leaving TaskManager's slots were not released.");
        await WaitForParallelismAsync(cluster, jobId, 4);
        await cluster.KillTaskManagerAsync(1);
        await WaitForParallelismAsync(cluster, jobId, 2);
        await WaitForCommittedAsync(output, minimumLines: 2000);
        await cluster.Dispatcher.CancelJobAsync(jobId);
        var details = (await cluster.Dispatcher.RequestJobDetailsAsync(jobId))!;

        Assert.Equal([(2, 4), (4, 6), (6, 4), (4, 2)], details.Rescales!.Select(r => (r.From, r.To)));
        Assert.Contains("TaskManager added", details.Rescales![0].Cause, StringComparison.Ordinal);
        Assert.Contains("taskmanager-0 is leaving", details.Rescales![2].Cause, StringComparison.Ordinal);
        Assert.Contains("restart after failure", details.Rescales![3].Cause, StringComparison.Ordinal);
        var lines = Directory.EnumerateFiles(output).Where(f => !Path.GetFileName(f).StartsWith('.')).SelectMany(File.ReadLines)
            .Select(l => l.Split(',').Select(long.Parse).ToArray()).ToList();
        // Every number at most once (nothing committed twice), and per key the counts are exactly 1..n: the keyed state
        // moved with its key groups through every rescale, without loss or double counting.
        Assert.Equal(lines.Count, lines.Select(l => l[1]).Distinct().Count());
        foreach (var key in lines.GroupBy(l => l[0]))
        {
            Assert.Equal(Enumerable.Range(1, key.Count()).Select(c => (long)c), key.Select(l => l[2]).Order());
        }

        // Each generator sequence (value mod 2: the first deployment's two readers) is gap-free from its start.
        foreach (var sequence in lines.Select(l => l[1]).GroupBy(v => v % 2))
        {
            var values = sequence.Order().ToList();
            Assert.Equal(Enumerable.Range(0, values.Count).Select(i => sequence.Key + (2L * i)), values);
        }
    }

    [Fact]
    public async Task AReactiveJobWithoutCheckpointingIsRefusedWithTheReason()
    {
        await using var cluster = new MiniCluster(new MiniClusterConfiguration());
        await cluster.StartAsync();
        var env = StreamExecutionEnvironment.GetExecutionEnvironment();
        env.Deployment = new DeploymentOptions { SchedulerMode = "reactive" };
        env.FromSequence(0, 10).SinkTo(new DiscardingSink<long>());

        var error = await Assert.ThrowsAsync<Rill.Checkpointing.CheckpointException>(() => cluster.Dispatcher.SubmitJobAsync(env.GetJobGraph()));

        Assert.Contains("enable checkpointing", error.Message, StringComparison.Ordinal);
    }

    private static async Task WaitForParallelismAsync(MiniCluster cluster, Guid jobId, int parallelism)
    {
        var deadline = DateTime.UtcNow + Within;
        JobDetails? details = null;
        while (DateTime.UtcNow < deadline)
        {
            details = await cluster.Dispatcher.RequestJobDetailsAsync(jobId);
            if (details is { Status: JobStatus.Running } && details.Vertices.Max(v => v.Parallelism) == parallelism
                && details.Vertices.SelectMany(v => v.Subtasks).All(s => s.State is ExecutionState.Running or ExecutionState.Finished)
                && details.Checkpoints is { LatestCompleted: { } latest } && latest.TriggerTime > details.Vertices.SelectMany(v => v.Subtasks).Max(s => s.StartTime ?? DateTimeOffset.MinValue))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"The job did not run at parallelism {parallelism} with a checkpoint within {Within.TotalSeconds} s; last seen: {details?.Status}, "
            + $"p={details?.Vertices.Max(v => v.Parallelism)}, rescales: {string.Join("; ", details?.Rescales ?? [])}; "
            + $"subtasks: {string.Join(", ", details?.Vertices.SelectMany(v => v.Subtasks.Select(s => $"{v.Name}#{s.Subtask}={s.State}")) ?? [])}; "
            + $"checkpoints: completed {details?.Checkpoints?.Completed}, failed {details?.Checkpoints?.Failed}, last failure: {details?.Checkpoints?.LatestFailed?.FailureMessage}, "
            + $"history: {string.Join(" | ", details?.Checkpoints?.History.Take(3).Select(h => $"{h.Id} {h.Status} {h.NumAcknowledgedSubtasks}/{h.NumSubtasks} at {h.TriggerTime:HH:mm:ss.fff}") ?? [])}");
    }

    private static async Task WaitForCommittedAsync(string output, int minimumLines)
    {
        var deadline = DateTime.UtcNow + Within;
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.Exists(output) && Directory.EnumerateFiles(output).Where(f => !Path.GetFileName(f).StartsWith('.')).Sum(f => File.ReadLines(f).Count()) >= minimumLines)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Fewer than {minimumLines} lines were committed within {Within.TotalSeconds} s.");
    }
}
