using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Rill.Samples.ClickGen;

/// <summary>Sends the click sequence to Kafka at its pace until stopped; a failed delivery stops it with that error.</summary>
internal static class ClickProducer
{
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(10);

    /// <returns>The number of clicks delivered.</returns>
    public static async Task<long> RunAsync(ClickGenOptions options, TextWriter log, CancellationToken stop)
    {
        var config = new ProducerConfig { BootstrapServers = options.BootstrapServers, Acks = Acks.All, LingerMs = 5 };
        using var producer = new ProducerBuilder<string, string>(config).Build();
        var clicks = new ClickSequence(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), options.ClicksPerSecond, options.EventTimeSpeed, options.Users, options.Seed);
        Error? failure = null;
        long delivered = 0;
        void OnDelivery(DeliveryReport<string, string> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.CompareExchange(ref failure, report.Error, null);
            }
            else
            {
                Interlocked.Increment(ref delivered);
            }
        }

        log.WriteLine($"clickgen: {options.ClicksPerSecond} clicks/s of {options.Users} users to '{options.Topic}' on {options.BootstrapServers}, event time x{options.EventTimeSpeed.ToString(CultureInfo.InvariantCulture)}");
        var clock = Stopwatch.StartNew();
        var nextReport = ReportEvery;
        long sent = 0;
        while (!stop.IsCancellationRequested)
        {
            for (var due = clicks.DueBy(clock.Elapsed); sent < due; sent++)
            {
                var (key, value) = clicks.Next(sent);
                producer.Produce(options.Topic, new Message<string, string> { Key = key, Value = value }, OnDelivery);
            }

            if (Volatile.Read(ref failure) is { } error)
            {
                throw new KafkaException(error);
            }

            if (clock.Elapsed >= nextReport)
            {
                nextReport += ReportEvery;
                var eventTime = DateTimeOffset.FromUnixTimeMilliseconds(clicks.EventTimeOf(sent)).ToString("u", CultureInfo.InvariantCulture);
                log.WriteLine($"clickgen: {Interlocked.Read(ref delivered)} clicks delivered, event time {eventTime}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), CancellationToken.None).ConfigureAwait(false);
        }

        // What was produced before the stop still goes out.
        producer.Flush(TimeSpan.FromSeconds(5));
        log.WriteLine($"clickgen: stopped after {Interlocked.Read(ref delivered)} of {sent} clicks delivered");
        return Interlocked.Read(ref delivered);
    }
}
