using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Graph;
using Rill.Runtime.Messages;
using Rill.Runtime.MiniCluster;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Runtime;

public sealed class ChainingTests
{
    [Fact]
    public void SourceMapFilterSinkWithEqualParallelismIsOneVertex()
    {
        var env = TestJobs.Env(4);
        env.FromCollection(Enumerable.Range(0, 10)).Map(x => x + 1).Name("Add").Filter(x => x > 3).Name("Keep").SinkTo(new CollectSink<int>(), "Out");
        var graph = env.GetJobGraph();

        var vertex = Assert.Single(graph.Vertices);
        Assert.Equal(["Collection Source", "Add", "Keep", "Out"], vertex.Chain.Select(n => n.Name));
        Assert.Empty(vertex.Inputs);
        Assert.Empty(vertex.Produced);
        Assert.Equal(4, vertex.Parallelism);
    }

    [Fact]
    public void KeyByBreaksTheChain()
    {
        var env = TestJobs.Env(4);
        env.FromCollection(Enumerable.Range(0, 10)).Map(x => x + 1).Name("Add").KeyBy(x => x % 2).Reduce((a, b) => a + b).SinkTo(new CollectSink<int>(), "Out");
        var graph = env.GetJobGraph();

        Assert.Equal(2, graph.Vertices.Count);
        Assert.Equal(["Collection Source", "Add"], graph.Vertices[0].Chain.Select(n => n.Name));
        Assert.Equal(["Keyed Reduce", "Out"], graph.Vertices[1].Chain.Select(n => n.Name));
        var edge = Assert.Single(graph.Vertices[1].Inputs);
        Assert.Equal("HASH", edge.ShipStrategy);
        Assert.Same(graph.Vertices[0], edge.Source.Producer);
    }

    [Fact]
    public void DisableChainingKeepsTheOperatorOutOfAnyChain()
    {
        var env = TestJobs.Env(2);
        env.FromCollection(Enumerable.Range(0, 10)).Map(x => x + 1).Name("Isolated").DisableChaining().Filter(x => x > 3).Name("Keep")
            .SinkTo(new CollectSink<int>(), "Out");
        var graph = env.GetJobGraph();

        Assert.Equal([["Collection Source"], ["Isolated"], ["Keep", "Out"]], graph.Vertices.Select(v => v.Chain.Select(n => n.Name).ToArray()));
        Assert.All(graph.Vertices.Skip(1), v => Assert.Equal("FORWARD", Assert.Single(v.Inputs).ShipStrategy));
    }

    [Fact]
    public void DifferentParallelismAndRebalanceBreakTheChain()
    {
        var env = TestJobs.Env(2);
        env.FromCollection(Enumerable.Range(0, 10)).Map(x => x + 1).Name("Wide").SetParallelism(3)
            .Filter(x => x > 3).Name("Narrow")
            .Rebalance().Map(x => x).Name("Rebalanced")
            .SinkTo(new CollectSink<int>(), "Out");
        var graph = env.GetJobGraph();

        Assert.Equal([["Collection Source"], ["Wide"], ["Narrow"], ["Rebalanced", "Out"]], graph.Vertices.Select(v => v.Chain.Select(n => n.Name).ToArray()));
        Assert.Equal(["REBALANCE", "REBALANCE", "REBALANCE"], graph.Vertices.Skip(1).Select(v => Assert.Single(v.Inputs).ShipStrategy));
    }

    [Fact]
    public async Task AChainRunsOnOneThreadPerSubtaskAndExchangesNoBuffers()
    {
        const int parallelism = 4;
        var threads = new ConcurrentQueue<(string Operator, int Subtask, int Thread)>();
        var sourceThreads = new ConcurrentDictionary<int, byte>();
        var env = TestJobs.Env(parallelism);
        var sink = new ThreadRecordingSink(threads);
        env.FromSource(new DataGeneratorSource<long>(i =>
            {
                sourceThreads.TryAdd(Environment.CurrentManagedThreadId, 0);
                return i;
            }, 20_000), WatermarkStrategy<long>.NoWatermarks(), "Generator")
            .Map(new ThreadRecordingMap(threads)).Name("Map")
            .Filter(new ThreadRecordingFilter(threads)).Name("Filter")
            .SinkTo(sink, "Sink");
        var job = env.GetJobGraph("Chained");
        var vertex = Assert.Single(job.Vertices);
        Assert.Equal(4, vertex.Chain.Count);

        var details = await RunOnMiniClusterAsync(job);

        Assert.Equal(JobStatus.Finished, details.Status);
        Assert.Equal(Enumerable.Range(0, 20_000).Where(i => i % 3 != 0).Sum(i => (long)i), sink.Sum);
        // Every operator of subtask i ran on one and the same thread, and each subtask had its own thread.
        var perSubtask = threads.GroupBy(t => t.Subtask).ToDictionary(g => g.Key, g => g.Select(t => t.Thread).Distinct().ToList());
        Assert.Equal(Enumerable.Range(0, parallelism), perSubtask.Keys.Order());
        Assert.All(perSubtask.Values, ids => Assert.Single(ids));
        Assert.Equal(parallelism, perSubtask.Values.Select(ids => ids[0]).Distinct().Count());
        Assert.Subset(perSubtask.Values.Select(ids => ids[0]).ToHashSet(), sourceThreads.Keys.ToHashSet()); // the source ran on those threads too
        Assert.All(threads.GroupBy(t => t.Operator), g => Assert.Equal(parallelism, g.Select(t => t.Subtask).Distinct().Count()));
        // No network between chained operators: not one buffer or serialized byte in or out of any subtask.
        var subtasks = Assert.Single(details.Vertices).Subtasks;
        Assert.Equal(parallelism, subtasks.Count);
        Assert.All(subtasks, s =>
        {
            Assert.NotNull(s.Metrics);
            Assert.Equal((0L, 0L, 0L, 0L, 0L, 0L), (s.Metrics!.BuffersOut, s.Metrics.BuffersIn, s.Metrics.BytesOut, s.Metrics.BytesIn, s.Metrics.RecordsOut, s.Metrics.RecordsIn));
        });
    }

    [Fact]
    public async Task WithoutChainingTheSameJobExchangesBuffers()
    {
        // The control for the test above: the metrics it reads do count network traffic.
        var env = TestJobs.Env(2);
        var sink = new CollectSink<long>();
        env.FromSource(new DataGeneratorSource<long>(i => i, 10_000), WatermarkStrategy<long>.NoWatermarks(), "Generator")
            .Map(x => x * 2).Name("Map").DisableChaining()
            .SinkTo(sink, "Sink");
        var details = await RunOnMiniClusterAsync(env.GetJobGraph("Unchained"));

        Assert.Equal(10_000, sink.Count);
        var source = details.Vertices.Single(v => v.Name == "Generator");
        var map = details.Vertices.Single(v => v.Name == "Map");
        Assert.Equal(10_000, source.Subtasks.Sum(s => s.Metrics!.RecordsOut));
        Assert.True(source.Subtasks.Sum(s => s.Metrics!.BuffersOut) > 0);
        Assert.Equal(10_000, map.Subtasks.Sum(s => s.Metrics!.RecordsIn));
        Assert.Equal(source.Subtasks.Sum(s => s.Metrics!.BytesOut), map.Subtasks.Sum(s => s.Metrics!.BytesIn));
    }

    internal static async Task<JobDetails> RunOnMiniClusterAsync(JobGraph job, Rill.Network.NetworkConfig? network = null)
    {
        await using var cluster = new MiniCluster(new MiniClusterConfiguration
        {
            SlotsPerTaskManager = job.RequiredSlots,
            Network = network ?? Rill.Network.NetworkConfig.Default,
        });
        await cluster.StartAsync();
        await cluster.ExecuteAsync(job).WaitAsync(TestJobs.JobTimeout);
        var details = await cluster.Dispatcher.RequestJobDetailsAsync(job.JobId).WaitAsync(TestJobs.JobTimeout);
        return details ?? throw new InvalidOperationException("No details for a job that just ran.");
    }

    private sealed class ThreadRecordingMap(ConcurrentQueue<(string Operator, int Subtask, int Thread)> threads) : IMapFunction<long, long>, IRichFunction
    {
        private int _subtask;
        private int _lastThread = -1;

        public void Open(IRuntimeContext context)
        {
            _subtask = context.IndexOfThisSubtask;
            Record(threads, "Map", _subtask, ref _lastThread);
        }

        public long Map(long value)
        {
            Record(threads, "Map", _subtask, ref _lastThread);
            return value;
        }

        public void Close()
        {
        }
    }

    private sealed class ThreadRecordingFilter(ConcurrentQueue<(string Operator, int Subtask, int Thread)> threads) : IFilterFunction<long>, IRichFunction
    {
        private int _subtask;
        private int _lastThread = -1;

        public void Open(IRuntimeContext context)
        {
            _subtask = context.IndexOfThisSubtask;
            Record(threads, "Filter", _subtask, ref _lastThread);
        }

        public bool Filter(long value)
        {
            Record(threads, "Filter", _subtask, ref _lastThread);
            return value % 3 != 0;
        }

        public void Close()
        {
        }
    }

    private sealed class ThreadRecordingSink(ConcurrentQueue<(string Operator, int Subtask, int Thread)> threads) : ISink<long>
    {
        // Sinks are copied per subtask (shallowly), so the total lives in an object all copies share.
        private readonly StrongBox<long> _sum = new();

        public long Sum => Interlocked.Read(ref _sum.Value);

        public ISinkWriter<long> CreateWriter(SinkWriterContext context) => new Writer(this, threads, context.SubtaskIndex);

        private sealed class Writer : ISinkWriter<long>
        {
            private readonly ThreadRecordingSink _sink;
            private readonly ConcurrentQueue<(string Operator, int Subtask, int Thread)> _threads;
            private readonly int _subtask;
            private int _lastThread = -1;

            public Writer(ThreadRecordingSink sink, ConcurrentQueue<(string Operator, int Subtask, int Thread)> threads, int subtask)
            {
                _sink = sink;
                _threads = threads;
                _subtask = subtask;
                Record(threads, "Sink", subtask, ref _lastThread); // created in the operator's Open, on the task thread
            }

            public void Write(long value, long? timestamp)
            {
                Record(_threads, "Sink", _subtask, ref _lastThread);
                Interlocked.Add(ref _sink._sum.Value, value);
            }

            public void Flush(bool endOfInput)
            {
            }

            public void Dispose()
            {
            }
        }
    }

    /// <summary>Logs the thread whenever it differs from the last one this operator instance saw (every first call, and any change).</summary>
    private static void Record(ConcurrentQueue<(string Operator, int Subtask, int Thread)> threads, string op, int subtask, ref int lastThread)
    {
        var current = Environment.CurrentManagedThreadId;
        if (current != lastThread)
        {
            lastThread = current;
            threads.Enqueue((op, subtask, current));
        }
    }
}
