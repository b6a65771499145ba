using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Rill.Api;
using Rill.Connectors.Kafka.Sink;
using Rill.Connectors.Kafka.Source;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Windowing;

namespace Rill.Bench.Kafka;

/// <summary>
/// Rill, embedded in this process: Kafka source (bounded: up to the offsets latest at the start) → parse → keyBy(userId) →
/// tumbling event-time window count → Kafka sink into <see cref="BenchContext.OutputTopic"/>, one line per (window, user),
/// keyed by the user id. Checkpoints every second with at-least-once delivery, as Streamiz commits every second with its
/// changelog at-least-once. Event time with per-partition watermarks bounded by the input's jitter, so no click is late.
/// </summary>
public sealed class RillContender(int parallelism, CompressionType compression) : IContender
{
    public string Name => $"Rill, parallelism {parallelism}";

    public string Id => parallelism == 1 ? "rill" : $"rill-p{parallelism}";

    public string Settings =>
        $"{Name}: embedded, heap state, checkpoints every 1000 ms, at-least-once Kafka sink (compression {compression.ToString().ToLowerInvariant()}), "
        + $"per-partition watermarks (out-of-orderness {OutOfOrderness.TotalMilliseconds:0} ms), fetch.queue.backoff.ms {ConsumerTuning.FetchQueueBackoffMs}";

    /// <summary>Twice the generator's jitter: two clicks of one partition are at most this much out of order.</summary>
    private static readonly TimeSpan OutOfOrderness = TimeSpan.FromMilliseconds((2 * ClickGenerator.MaxJitterMs) + 1);

    public IReadOnlyList<string> InternalTopics(int run) => [];

    public async Task<ContenderRun> RunAsync(BenchContext context, CancellationToken cancellation)
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment()
            .SetParallelism(parallelism)
            .SetRuntimeMode(RuntimeExecutionMode.Streaming);
        env.EnableCheckpointing(TimeSpan.FromSeconds(1));
        env.ConfigureCheckpointing(c => c with { Directory = Path.Combine(context.WorkDirectory, $"{Id}-{context.Run}-checkpoints") });

        var source = KafkaSource<UserClick>.Builder()
            .SetBootstrapServers(context.BootstrapServers)
            .SetTopics(context.InputTopic)
            .SetBounded()
            .SetDeserializer(KafkaDeserializers.ValueOnly(UserClick.Parse))
            .SetProperty("fetch.queue.backoff.ms", ConsumerTuning.FetchQueueBackoffMs.ToString(CultureInfo.InvariantCulture))
            .Build();
        var windowMs = context.WindowMs;
        env.FromSource(source, WatermarkStrategy<UserClick>.ForBoundedOutOfOrderness(OutOfOrderness).WithTimestampAssigner(c => c.Timestamp), "Kafka Clicks")
            .KeyBy(click => click.UserId)
            .Window(TumblingEventTimeWindows.Of<UserClick>(TimeSpan.FromMilliseconds(windowMs)))
            .Aggregate(new CountAggregate<UserClick>(), (userId, window, count) => WindowCountLine.Value(window.Start, window.End, userId, count))
            .SinkTo(KafkaSink<string>.Builder()
                .SetBootstrapServers(context.BootstrapServers)
                .SetRecordSerializer(KafkaRecordSerializer<string>.Builder()
                    .SetTopic(context.OutputTopic)
                    .SetKeySerializer(line => Encoding.UTF8.GetBytes(line.Split(',')[2]))
                    .SetValueSerializer(line => Encoding.UTF8.GetBytes(line))
                    .Build())
                .SetDeliveryGuarantee(DeliveryGuarantee.AtLeastOnce)
                .SetProperty("compression.type", compression.ToString().ToLowerInvariant())
                .Build(), "Kafka Counts");

        using var watcher = context.WatchOutput();
        var start = Stopwatch.GetTimestamp();
        var job = env.ExecuteAsync($"Rill bench run {context.Run}", cancellation);
        string? failure = null;
        _ = job.ContinueWith(t => failure = t.IsFaulted ? $"the Rill job failed: {t.Exception!.GetBaseException().Message}" : null, TaskScheduler.Default);
        var complete = await watcher.WaitForCompleteAsync(context.Timeout, context.IdleTimeout, () => failure, cancellation);
        var elapsed = Stopwatch.GetElapsedTime(start, complete);
        await job.WaitAsync(context.Timeout, cancellation); // the bounded job ends right after its last window
        return new ContenderRun(elapsed, null);
    }

    /// <summary>The two fields of a click line the count needs; 16 bytes, so records cross threads as plain bytes.</summary>
    private readonly record struct UserClick(long Timestamp, int UserId)
    {
        public static UserClick Parse(byte[] value)
        {
            var line = value.AsSpan();
            var first = line.IndexOf((byte)',');
            var second = first < 0 ? -1 : line[(first + 1)..].IndexOf((byte)',') + first + 1;
            if (second <= first
                || !System.Buffers.Text.Utf8Parser.TryParse(line[..first], out long timestamp, out var used) || used != first
                || !System.Buffers.Text.Utf8Parser.TryParse(line[(first + 1)..second], out int userId, out used) || used != second - first - 1)
            {
                throw new MalformedRecordException($"expected 'timestampMillis,userId,url', got '{Encoding.UTF8.GetString(value)}'");
            }

            return new UserClick(timestamp, userId);
        }
    }
}
