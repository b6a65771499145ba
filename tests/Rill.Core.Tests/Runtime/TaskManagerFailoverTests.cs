using Rill.Api;
using Rill.EventTime;
using Rill.Runtime.MiniCluster;
using Rill.Runtime.Scheduler;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Runtime;

/// <summary>
/// A TaskManager that dies mid-job (simulated in the embedded cluster: calls refused, data connections closed) is
/// detected through the lost connection long before the heartbeat timeout, and the job restarts on the remaining
/// slots and finishes with exactly the expected result.
/// </summary>
public sealed class TaskManagerFailoverTests
{
    [Fact]
    public async Task AJobRestartsOnTheRemainingSlotsWhenATaskManagerDies()
    {
        const int records = 8000; // ~4 s at 2000 per second: the kill surely lands while the job runs
        var env = TestJobs.Env(4, RuntimeExecutionMode.Batch);
        var sink = new CollectSink<(long Key, long Count)>();
        env.FromSource(new DataGeneratorSource<long>(i => i, records, recordsPerSecond: 2000), WatermarkStrategy<long>.NoWatermarks(), "Numbers")
            .Map(i => (Key: i % 10, Count: 1L))
            .KeyBy(t => t.Key)
            .Reduce((a, b) => (a.Key, a.Count + b.Count))
            .SinkTo(sink);
        var job = env.GetJobGraph("failover");

        await using var cluster = new MiniCluster(new MiniClusterConfiguration
        {
            NumberOfTaskManagers = 3,
            SlotsPerTaskManager = 2,
            ExchangeOverTcp = true,
            RestartStrategy = RestartStrategies.FixedDelay(10, TimeSpan.FromMilliseconds(200)),
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            HeartbeatTimeout = TimeSpan.FromSeconds(60), // detection must not depend on the timeout
        });
        await cluster.StartAsync();
        var jobId = await cluster.Dispatcher.SubmitJobAsync(job);

        // Wait until every subtask runs, then kill a TaskManager that hosts some of them.
        string victim = "";
        for (var i = 0; i < 200 && victim.Length == 0; i++)
        {
            var running = await cluster.Dispatcher.RequestJobDetailsAsync(jobId);
            var subtasks = running!.Vertices.SelectMany(v => v.Subtasks).ToList();
            if (subtasks.All(s => s.State == Rill.Runtime.Messages.ExecutionState.Running))
            {
                victim = subtasks.GroupBy(s => s.TaskManagerId!).OrderByDescending(g => g.Count()).First().Key;
            }
            else
            {
                await Task.Delay(25);
            }
        }

        Assert.NotEqual("", victim);
        var killedAt = DateTime.UtcNow;
        await cluster.KillTaskManagerAsync(int.Parse(victim["taskmanager-".Length..], System.Globalization.CultureInfo.InvariantCulture));

        Rill.Runtime.Messages.JobResult result;
        try
        {
            result = await cluster.Dispatcher.RequestJobResultAsync(jobId).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            var stuck = await cluster.Dispatcher.RequestJobDetailsAsync(jobId);
            var states = string.Join("; ", stuck!.Vertices.SelectMany(v => v.Subtasks.Select(s => $"{v.Name}#{s.Subtask}@{s.Attempt}:{s.State} on {s.TaskManagerId}")));
            var failures = string.Join(" | ", stuck.Exceptions.Select(e => $"{e.TaskName}: {e.Message}"));
            throw new TimeoutException($"Job still {stuck.Status} after 30 s (restarts {stuck.Restarts}). Subtasks: {states}. Exceptions: {failures}");
        }

        var details = await cluster.Dispatcher.RequestJobDetailsAsync(jobId);

        Assert.Equal(Rill.Runtime.Messages.JobStatus.Finished, result.Status);
        Assert.Equal(Enumerable.Range(0, 10).Select(k => ((long)k, (long)(records / 10))), sink.Values.Order());
        Assert.True(details!.Restarts >= 1);
        Assert.Contains(details.Exceptions, e => e.Message.Contains("connection", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(details.Vertices.SelectMany(v => v.Subtasks), s => s.TaskManagerId == victim);
        var firstException = details.Exceptions.Min(e => e.Time);
        Assert.True(firstException - killedAt < TimeSpan.FromSeconds(10), $"failure noticed only after {(firstException - killedAt).TotalSeconds:0.0} s");
    }
}
