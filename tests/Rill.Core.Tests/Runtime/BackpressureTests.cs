using Rill.Api;
using Rill.EventTime;
using Rill.Graph;
using Rill.Network;
using Rill.Serialization;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Runtime;

/// <summary>
/// A fast source feeding a slow sink through the network. Records counted as emitted (before the exchange) minus
/// records counted as consumed (in the sink) is what sits in network buffers; bounded buffer pools must cap it at
/// the pools' capacity in records, plus one buffer's worth for records held while a producer waits for a buffer.
/// </summary>
public sealed class BackpressureTests
{
    private static readonly NetworkConfig SmallNetwork = new() { SegmentSize = 1024, BuffersPerChannel = 2, FloatingBuffersPerPartition = 1 };

    /// <summary>Records of one buffer: the segment divided by the record header (length + timestamp, 12 bytes) plus the payload.</summary>
    private static int RecordsPerBuffer => SmallNetwork.SegmentSize / (12 + TypeSerializers.For<long>().FixedLength);

    [Fact]
    public async Task RebalanceToASlowSinkIsBoundedByTheBufferPool()
    {
        var (maxInFlight, samples, backPressured) = await RunAsync(producers: 1, consumers: 1, records: 1200, keyed: false);
        var capacity = 1 * SmallNetwork.PoolSizeFor(1) * RecordsPerBuffer;

        Assert.True(samples > 100, $"only {samples} samples");
        Assert.True(maxInFlight <= capacity + RecordsPerBuffer, $"{maxInFlight} records in flight, capacity {capacity} + one buffer {RecordsPerBuffer}");
        // And backpressure really happened: the buffers filled up and the producer had to wait for them.
        Assert.True(maxInFlight >= capacity - RecordsPerBuffer, $"at most {maxInFlight} records in flight, expected about {capacity}");
        Assert.True(backPressured > TimeSpan.Zero, "the producer never waited for a buffer");
    }

    [Fact]
    public async Task KeyByToSlowSinksIsBoundedByTheBufferPools()
    {
        var (maxInFlight, samples, backPressured) = await RunAsync(producers: 2, consumers: 2, records: 2000, keyed: true);
        var capacity = 2 * SmallNetwork.PoolSizeFor(2) * RecordsPerBuffer;

        Assert.True(samples > 100, $"only {samples} samples");
        Assert.True(maxInFlight <= capacity + RecordsPerBuffer, $"{maxInFlight} records in flight, capacity {capacity} + one buffer {RecordsPerBuffer}");
        Assert.True(maxInFlight >= capacity / 2, $"at most {maxInFlight} records in flight, expected about {capacity}");
        Assert.True(backPressured > TimeSpan.Zero, "no producer ever waited for a buffer");
    }

    private static async Task<(long MaxInFlight, int Samples, TimeSpan BackPressured)> RunAsync(int producers, int consumers, int records, bool keyed)
    {
        var counters = new Counters();
        var env = TestJobs.Env(producers);
        env.NetworkConfig = SmallNetwork;
        var counted = env.FromSource(new DataGeneratorSource<long>(i => i, records), WatermarkStrategy<long>.NoWatermarks(), "Fast Source")
            .Map(v =>
            {
                Interlocked.Increment(ref counters.Emitted);
                return v;
            }).Name("Count Emitted");
        var exchanged = keyed ? counted.KeyBy(v => v % 16) : counted.Rebalance();
        exchanged.SinkTo(new SlowCountingSink(counters), "Slow Sink").SetParallelism(consumers);
        var job = env.GetJobGraph("Backpressure");
        Assert.Equal(2, job.Vertices.Count); // the counting map is chained to the source, before the exchange

        var running = ChainingTests.RunOnMiniClusterAsync(job, SmallNetwork);
        var samples = 0;
        long maxInFlight = 0;
        await Task.Factory.StartNew(() =>
        {
            while (!running.IsCompleted)
            {
                // Emitted first: reading consumed later can only make the difference smaller, never inflate it.
                var inFlight = Interlocked.Read(ref counters.Emitted) - Interlocked.Read(ref counters.Consumed);
                maxInFlight = Math.Max(maxInFlight, inFlight);
                samples++;
                Thread.Sleep(1);
            }
        }, TaskCreationOptions.LongRunning);
        var details = await running;

        Assert.Equal(records, Interlocked.Read(ref counters.Consumed));
        var source = details.Vertices.Single(v => v.Name.StartsWith("Fast Source", StringComparison.Ordinal));
        var backPressured = TimeSpan.FromTicks(source.Subtasks.Sum(s => s.Metrics!.BackPressuredTime.Ticks));
        return (maxInFlight, samples, backPressured);
    }

    private sealed class Counters
    {
        public long Emitted;
        public long Consumed;
    }

    private sealed class SlowCountingSink(Counters counters) : ISink<long>
    {
        public ISinkWriter<long> CreateWriter(SinkWriterContext context) => new Writer(counters);

        private sealed class Writer(Counters counters) : ISinkWriter<long>
        {
            public void Write(long value, long? timestamp)
            {
                Thread.Sleep(1);
                Interlocked.Increment(ref counters.Consumed);
            }

            public void Flush(bool endOfInput)
            {
            }

            public void Dispose()
            {
            }
        }
    }
}
