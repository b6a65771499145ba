using Rill.Api;
using Rill.Runtime.MiniCluster;
using Rill.Sinks;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Runtime;

/// <summary>
/// Two TaskManagers that exchange data over the TCP data plane (each with its own partitions), as separate processes
/// will: a keyed job spread over both gives the same result as computed directly, and bytes did cross the network.
/// </summary>
public sealed class TcpExchangeClusterTests
{
    [Fact]
    public async Task AKeyedJobOverTwoTaskManagersExchangesDataOverTcp()
    {
        var words = Enumerable.Range(0, 20_000).Select(i => $"w{(i * 7919) % 500}").ToArray();
        var env = TestJobs.Env(4, RuntimeExecutionMode.Batch); // final counts per word
        var sink = new CollectSink<(string Word, int Count)>();
        env.FromCollection(words)
            .Map(w => (Word: w, Count: 1))
            .KeyBy(t => t.Word)
            .Reduce((a, b) => (a.Word, a.Count + b.Count))
            .SinkTo(sink);
        var job = env.GetJobGraph("tcp word count");

        await using var cluster = new MiniCluster(new MiniClusterConfiguration { NumberOfTaskManagers = 2, SlotsPerTaskManager = 2, ExchangeOverTcp = true });
        await cluster.StartAsync();
        await cluster.ExecuteAsync(job).WaitAsync(TimeSpan.FromSeconds(30));

        var expected = words.GroupBy(w => w).Select(g => (g.Key, g.Count())).Order();
        Assert.Equal(expected, sink.Values.Order());
        Assert.True(cluster.DataPlaneBytesSent > 0, "no byte crossed the TCP data plane");
        var details = await cluster.Dispatcher.RequestJobDetailsAsync(job.JobId);
        var taskManagers = details!.Vertices.SelectMany(v => v.Subtasks).Select(s => s.TaskManagerId).Distinct().ToList();
        Assert.Equal(2, taskManagers.Count);
    }
}
