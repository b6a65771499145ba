using System.Globalization;
using System.Text;
using Rill.Api;
using Rill.Connectors.Kafka.Sink;
using Rill.Connectors.Kafka.Source;
using Rill.Connectors.Redis;
using Rill.EventTime;
using Rill.Functions;
using Rill.Samples.ClickCounts;
using Rill.Sinks;
using Rill.Windowing;

namespace Rill.Samples.KafkaClickCounts;

/// <summary>
/// The dataflow: Kafka clicks → event time per partition → windows per user → counts → Kafka (and Redis). Malformed click
/// lines go to the dead-letter topic with the reason; the job keeps running.
/// </summary>
internal static class KafkaClickCountsJob
{
    /// <summary>Clicks may arrive up to 5 s out of order and still count (as in ClickCounts); an idle partition does not hold event time back.</summary>
    private static readonly WatermarkStrategy<Click> Watermarks =
        WatermarkStrategy<Click>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(5)).WithTimestampAssigner(click => click.TimestampMillis).WithIdleness(TimeSpan.FromSeconds(10));

    public static async Task RunAsync(KafkaClickCountsOptions options)
    {
        var env = JobEnvironment.CreateStreaming(options.RestPort, options.Deployment, options.Parallelism, options.CheckpointingMs, options.CheckpointDirectory);
        var source = KafkaSource<Click>.Builder()
            .SetBootstrapServers(options.BootstrapServers)
            .SetTopics(options.InputTopic)
            .SetGroupId(options.GroupId)
            .SetDeserializer(new ClickDeserializer())
            .SetDeadLetterTopic(options.DeadLetterTopic);
        if (options.Bounded)
        {
            source.SetBounded();
        }

        var counts = env.FromSource(source.Build(), Watermarks, "Kafka Clicks").Uid("kafka-clicks")
            .KeyBy(click => click.UserId)
            .Window(TumblingEventTimeWindows.Of<Click>(TimeSpan.FromMilliseconds(options.WindowMs)))
            .Aggregate(new CountAggregate<Click>(), (userId, window, count) => new UserWindowCount(window.Start, window.End, userId, count))
            .Name("Count Clicks per User and Window").Uid("count-clicks");

        counts.SinkTo(KafkaSink<UserWindowCount>.Builder()
            .SetBootstrapServers(options.BootstrapServers)
            .SetRecordSerializer(KafkaRecordSerializer<UserWindowCount>.Builder()
                .SetTopic(options.OutputTopic)
                .SetKeySerializer(count => Encoding.UTF8.GetBytes(count.UserId.ToString(CultureInfo.InvariantCulture)))
                .SetValueSerializer(count => Encoding.UTF8.GetBytes(count.ToCsv()))
                .Build())
            .SetDeliveryGuarantee(options.Delivery switch
            {
                "exactly-once" => DeliveryGuarantee.ExactlyOnce,
                "at-least-once" => DeliveryGuarantee.AtLeastOnce,
                _ => DeliveryGuarantee.None,
            })
            .SetTransactionalIdPrefix("kafka-click-counts-" + options.OutputTopic)
            .Build(), "Kafka Counts").Uid("kafka-counts");

        if (options.Redis is { } redis)
        {
            // The latest window per user; a replay after a restore writes the same values again and never an older window.
            counts.SinkTo(RedisHashSink<UserWindowCount>.Builder()
                .SetConnection(redis)
                .SetKey(count => string.Create(CultureInfo.InvariantCulture, $"clickcounts:{count.UserId}"))
                .SetVersion("windowStart", count => count.WindowStart)
                .SetFields(count => [("count", count.Count)])
                .Build(), "Redis Latest Counts").Uid("redis-counts");
        }

        await env.ExecuteAsync("KafkaClickCounts");
    }
}
