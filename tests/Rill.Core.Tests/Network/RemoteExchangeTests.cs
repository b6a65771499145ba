using System.Net;
using Rill.EventTime;
using Rill.Metrics;
using Rill.Network;
using Rill.Network.Remote;
using Rill.Operators;
using Rill.Serialization;
using Rill.Tasks;

namespace Rill.Tests.Network;

/// <summary>
/// The TCP data plane between processes (here: over loopback in one process): records and events arrive complete and
/// in order, credit-based flow control turns a slow remote consumer into backpressure on the producer, and a lost
/// connection fails the consumer at once.
/// </summary>
public sealed class RemoteExchangeTests : IAsyncLifetime
{
    private static readonly NetworkConfig Config = new() { SegmentSize = 1024, BuffersPerChannel = 2, FloatingBuffersPerPartition = 1 };
    private readonly ResultPartitionManager _producerSide = new(Config);
    private readonly ResultPartitionId _partitionId = new(Guid.NewGuid(), "map-0", 0, 0);
    private PartitionRequestServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new PartitionRequestServer(_producerSide, IPAddress.Loopback);
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private RecordWriter<int> Writer(CancellationToken cancellation) =>
        new(_producerSide.GetOrCreate(_partitionId, 1), TypeSerializers.For<int>(), new ForwardPartitioner<int>(), 0, new TaskIOMetrics(), cancellation);

    private async Task<(RemoteInputChannel Channel, TaskMailbox Mailbox, StreamTaskNetworkInput<int> Input, Recorder Head)> ConsumerAsync(int credits)
    {
        var channel = new RemoteInputChannel(_server.EndPoint, _partitionId, 1, 0, credits, Config.SegmentSize);
        await channel.ConnectAsync(CancellationToken.None);
        var gate = new InputGate([channel]);
        var mailbox = new TaskMailbox();
        var head = new Recorder();
        var input = new StreamTaskNetworkInput<int>(gate, head, "Consumer", TypeSerializers.For<int>(), new TaskIOMetrics());
        gate.Connect(mailbox);
        return (channel, mailbox, input, head);
    }

    private static void ConsumeUntilFinished(TaskMailbox mailbox, StreamTaskNetworkInput<int> input, Action? afterEachBuffer = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!input.IsFinished)
        {
            Assert.True(DateTime.UtcNow < deadline, "the remote exchange did not finish within 20 s");
            if (mailbox.TryTakeData(out var channel))
            {
                input.ProcessChannel(channel);
                afterEachBuffer?.Invoke();
            }
            else
            {
                mailbox.WaitForWork(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task RecordsAndEventsArriveCompleteAndInOrder()
    {
        var (channel, mailbox, input, head) = await ConsumerAsync(credits: 2);
        await using var _ = channel;
        var producer = Task.Run(() =>
        {
            var writer = Writer(CancellationToken.None);
            for (var i = 0; i < 20_000; i++)
            {
                writer.Emit(i, timestamp: i * 10L);
                if (i == 9_999)
                {
                    writer.BroadcastEvent(new WatermarkEvent(new Watermark(99_990)));
                }
            }

            writer.BroadcastEvent(new WatermarkEvent(Watermark.MaxWatermark));
            writer.BroadcastEvent(EndOfPartitionEvent.Instance);
        });

        ConsumeUntilFinished(mailbox, input);
        await producer;

        Assert.Equal(Enumerable.Range(0, 20_000), head.Values);
        Assert.Equal(Enumerable.Range(0, 20_000).Select(i => i * 10L), head.Timestamps);
        Assert.Equal([99_990L, long.MaxValue], head.Watermarks);
        Assert.Equal(10_000, head.ValuesBeforeFirstWatermark); // the watermark did not overtake records
        Assert.True(_server.BytesSent > 20_000 * 4);
    }

    [Fact]
    public async Task ASlowRemoteConsumerBackpressuresTheProducerWithinTheCredits()
    {
        const int credits = 2;
        var (channel, mailbox, input, head) = await ConsumerAsync(credits);
        await using var _ = channel;
        long emitted = 0;
        var maxInFlight = 0L;
        var producerPool = _producerSide.GetOrCreate(_partitionId, 1).BufferPool;
        var producerBlocked = false;
        var producer = Task.Run(() =>
        {
            var writer = Writer(CancellationToken.None);
            for (var i = 0; i < 3_000; i++)
            {
                writer.Emit(i, 0);
                Interlocked.Increment(ref emitted);
            }

            writer.BroadcastEvent(EndOfPartitionEvent.Instance);
        });

        // 1 KiB buffers hold 64 int records (12-byte header + 4 bytes each).
        const int recordsPerBuffer = 1024 / 16;
        ConsumeUntilFinished(mailbox, input, () =>
        {
            Thread.Sleep(5); // a slow consumer
            producerBlocked |= producerPool.AvailableBuffers == 0;
            maxInFlight = Math.Max(maxInFlight, Interlocked.Read(ref emitted) - head.Values.Count);
        });
        await producer;

        Assert.Equal(3_000, head.Values.Count);
        Assert.True(producerBlocked, "the producer's pool never ran dry: the slow consumer did not backpressure it");
        // Everything in flight sits in the producer's pool (3 buffers), the granted credits, or the one being read.
        var bound = (producerPool.NumberOfBuffers + credits + 1) * recordsPerBuffer;
        Assert.True(maxInFlight <= bound, $"{maxInFlight} records in flight, more than the {bound} the buffers can hold");
    }

    [Fact]
    public async Task ALostConnectionFailsTheConsumerAtOnceWithConnectionLost()
    {
        var (channel, mailbox, input, _) = await ConsumerAsync(credits: 2);
        await using var __ = channel;
        var writer = Writer(CancellationToken.None);
        writer.Emit(1, 0);
        writer.FlushAll();

        await _server.DisposeAsync(); // the producer's process "dies"

        var error = Assert.Throws<IOException>(() => ConsumeUntilFinished(mailbox, input));
        Assert.Contains("connection lost", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AConsumerThatGoesAwayMidStreamFreesTheProducersBuffers()
    {
        var (channel, mailbox, input, _) = await ConsumerAsync(credits: 2);
        var pool = _producerSide.GetOrCreate(_partitionId, 1).BufferPool;
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(() =>
        {
            var writer = Writer(stop.Token);
            try
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    writer.Emit(i, 0); // blocks once the pool is empty: the consumer reads nothing
                }
            }
            catch (OperationCanceledException)
            {
            }

            writer.ReleaseUnsent();
        });
        await WaitUntilAsync(() => pool.AvailableBuffers == 0, "the producer never filled its pool");

        await channel.DisposeAsync(); // the consumer is canceled without reading to the end
        await stop.CancelAsync();
        await producer;

        // The server noticed the closed connection and gave every queued buffer back.
        await WaitUntilAsync(() => pool.AvailableBuffers == pool.NumberOfBuffers, "buffers stayed with a connection nobody reads");
    }

    [Fact]
    public async Task AFailureBeforeTheConsumerAttachesIsNotLost()
    {
        var channel = new RemoteInputChannel(_server.EndPoint, _partitionId, 1, 0, 2, Config.SegmentSize);
        await using var _ = channel;
        await channel.ConnectAsync(CancellationToken.None);
        await _server.DisposeAsync(); // the producer dies before the task attached its gate
        await Task.Delay(200);

        var gate = new InputGate([channel]);
        var mailbox = new TaskMailbox();
        var input = new StreamTaskNetworkInput<int>(gate, new Recorder(), "Consumer", TypeSerializers.For<int>(), new TaskIOMetrics());
        gate.Connect(mailbox);

        Assert.True(mailbox.TryTakeData(out var index), "the failure was not announced when the consumer attached");
        var error = Assert.Throws<IOException>(() => input.ProcessChannel(index));
        Assert.Contains("connection lost", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
    }

    private sealed class Recorder : IInput<int>
    {
        public List<int> Values { get; } = [];

        public List<long> Timestamps { get; } = [];

        public List<long> Watermarks { get; } = [];

        public int ValuesBeforeFirstWatermark { get; private set; } = -1;

        public void ProcessElement(int value, long timestamp)
        {
            Values.Add(value);
            Timestamps.Add(timestamp);
        }

        public void ProcessWatermark(Watermark watermark)
        {
            if (Watermarks.Count == 0)
            {
                ValuesBeforeFirstWatermark = Values.Count;
            }

            Watermarks.Add(watermark.Timestamp);
        }

        public void ProcessWatermarkStatus(bool idle)
        {
        }
    }
}
