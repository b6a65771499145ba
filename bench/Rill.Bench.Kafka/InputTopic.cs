using System.Diagnostics;
using Confluent.Kafka;

namespace Rill.Bench.Kafka;

/// <summary>Writes the input once (untimed) and proves the broker kept all of it before anything is timed.</summary>
public static class InputTopic
{
    /// <summary>
    /// Produces every click (key = user id, value = CSV line, record timestamp = now: event time is in the value) and
    /// returns how long it took. Any record not delivered fails the bench.
    /// </summary>
    public static TimeSpan Produce(string bootstrapServers, string topic, Click[] clicks, CompressionType compression)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            Acks = Acks.Leader,
            // Big batches: the development broker keeps at most 100,000 batches per partition, besides ~5 MiB.
            LingerMs = 20,
            BatchSize = 1_000_000,
            CompressionType = compression,
            EnableIdempotence = false,
        };
        var stopwatch = Stopwatch.StartNew();
        using var producer = new ProducerBuilder<byte[], byte[]>(config).Build();
        Error? firstError = null;
        long failed = 0;
        foreach (var click in clicks)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<byte[], byte[]> { Key = click.KeyBytes(), Value = click.ValueBytes() }, report =>
                    {
                        if (report.Error.IsError)
                        {
                            Interlocked.CompareExchange(ref firstError, report.Error, null);
                            Interlocked.Increment(ref failed);
                        }
                    });
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // The client's queue is full: let it send, then go on.
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }

        var left = producer.Flush(TimeSpan.FromMinutes(2));
        if (left > 0 || failed > 0)
        {
            throw new InvalidOperationException($"Producing the input failed: {failed} records not delivered ({firstError?.Reason}), {left} still queued after 2 minutes.");
        }

        return stopwatch.Elapsed;
    }

    /// <summary>
    /// Reads the whole topic back: the development broker silently drops a partition's oldest records past ~5 MiB,
    /// so every record must still be there (log start 0) and the count read must be the count produced.
    /// </summary>
    public static void VerifyComplete(string bootstrapServers, string topic, int partitions, long produced)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(TopicReader.Config(bootstrapServers)).Build();
        var (records, logStarts) = TopicReader.ReadToEnd(consumer, topic, partitions, _ => { }, TimeSpan.FromMinutes(2));
        if (logStarts.Any(s => s > 0) || records != produced)
        {
            throw new InvalidOperationException(
                $"The broker kept {records} of the {produced} input records (log starts {string.Join(" ", logStarts)}): it keeps about 5 MiB per "
                + "partition and drops the oldest records silently. Use more --partitions, fewer --events or --compression lz4.");
        }
    }
}
