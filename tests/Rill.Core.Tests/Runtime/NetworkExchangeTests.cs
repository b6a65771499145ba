using Rill.Api;
using Rill.EventTime;
using Rill.Metrics;
using Rill.Network;
using Rill.Serialization;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Runtime;

/// <summary>Records crossing task boundaries: every record arrives intact, including records larger than a buffer.</summary>
public sealed class NetworkExchangeTests
{
    [Fact]
    public async Task RecordsLargerThanASegmentCrossTheNetworkIntact()
    {
        var env = TestJobs.Env(1);
        env.NetworkConfig = new NetworkConfig { SegmentSize = 4096 };
        var sink = new CollectSink<string>();
        env.FromCollection(Enumerable.Range(0, 50).ToArray())
            .Map(i => new string((char)('a' + (i % 26)), i % 5 == 0 ? 10_000 + i : 10 + i))
            .Rebalance()
            .SinkTo(sink);
        await TestJobs.RunAsync(env);

        var expected = Enumerable.Range(0, 50).Select(i => new string((char)('a' + (i % 26)), i % 5 == 0 ? 10_000 + i : 10 + i));
        Assert.Equal(expected, sink.Values); // one producer, one consumer: order is kept too
    }

    [Fact]
    public async Task ManyOversizedRecordsWithFlushesInBetweenDoNotExhaustTheBufferPool()
    {
        // A paced source flushes its output whenever it waits, so each oversized record arrives at an empty
        // channel. The pool has PoolSizeFor(1) = 2 + 8 = 10 buffers: 30 records must not use one up each.
        var env = TestJobs.Env(1);
        env.NetworkConfig = new NetworkConfig { SegmentSize = 4096 };
        var sink = new CollectSink<int>();
        env.FromSource(new DataGeneratorSource<string>(i => new string('x', 5000 + (int)i), 30, recordsPerSecond: 300), WatermarkStrategy<string>.NoWatermarks(), "Big")
            .Rebalance()
            .Map(s => s.Length)
            .SinkTo(sink);

        await TestJobs.RunAsync(env, timeout: TimeSpan.FromSeconds(3)); // takes about 0.1 s; a drained pool blocks the writer forever

        Assert.Equal(Enumerable.Range(0, 30).Select(i => 5000 + i), sink.Values);
    }

    [Fact]
    public void RecordWriterReturnsEveryPooledBufferWhenOversizedRecordsFollowFlushes()
    {
        // The same at unit level: emit an oversized record, flush, and let the consumer recycle what it got.
        var config = new NetworkConfig { SegmentSize = 1024, BuffersPerChannel = 2, FloatingBuffersPerPartition = 1 };
        var partition = new ResultPartition(new ResultPartitionId(Guid.NewGuid(), "test", 0, 0), 1, config);
        var writer = new RecordWriter<string>(partition, TypeSerializers.For<string>(), new ForwardPartitioner<string>(), 0, new TaskIOMetrics(), CancellationToken.None);
        var pool = partition.BufferPool;
        Assert.Equal(3, pool.AvailableBuffers);

        for (var i = 0; i < 10; i++)
        {
            writer.Emit(new string('y', 2000), 0);
            writer.FlushAll();
            while (partition.Subpartitions[0].TryPoll(out var buffer))
            {
                buffer.Recycle();
            }

            Assert.True(pool.AvailableBuffers == 3, $"after oversized record {i + 1}: {pool.AvailableBuffers} of 3 pooled buffers available");
        }
    }

    [Fact]
    public async Task EveryPartitionerDeliversEveryRecordExactlyOnce()
    {
        var env = TestJobs.Env(3);
        var values = Enumerable.Range(0, 3000).Select(i => (long)i * 7).ToArray();
        var source = env.FromCollection(values).SetParallelism(2);
        var rebalanced = new CollectSink<long>();
        var hashed = new CollectSink<long>();
        var global = new CollectSink<long>();
        var forward = new CollectSink<long>();
        source.Rebalance().Map(v => v).SinkTo(rebalanced);
        source.KeyBy(v => v % 11).Map(v => v).SinkTo(hashed);
        source.Global().Map(v => v).SinkTo(global);
        source.Forward().Map(v => v).SetParallelism(2).DisableChaining().SinkTo(forward);
        await TestJobs.RunAsync(env);

        Assert.Equal(values, rebalanced.Values.Order());
        Assert.Equal(values, hashed.Values.Order());
        Assert.Equal(values, global.Values.Order());
        Assert.Equal(values, forward.Values.Order());
    }
}
