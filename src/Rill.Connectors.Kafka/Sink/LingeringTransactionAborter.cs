using System.Text.Json;
using Confluent.Kafka;
using Rill.Sinks;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// Aborts the transactions earlier writers may have left open, before a writer starts (Flink's TransactionAborter).
/// An open transaction blocks every read_committed consumer of its partitions until it ends, so waiting for
/// transaction.timeout.ms is not good enough. After a restore of checkpoint R, an old writer j may have opened
/// "{prefix}-{j}-{R+1}" and, for each later checkpoint it saw, one more name. For every old index this subtask owns
/// (j modulo the new parallelism), up to the largest parallelism in the restored writer states, each such name is
/// initialized (InitTransactions aborts what is open under it and fences its producer) until a name turns out never to
/// have been used (producer epoch 0). The epoch is read from librdkafka's statistics, the only place it exposes it.
/// </summary>
internal sealed class LingeringTransactionAborter<T>(KafkaSinkSettings<T> settings, SinkWriterContext context)
{
    /// <summary>Bounds the walk per index (e.g. a prefix reused from a long earlier run, whose names all were used).</summary>
    public const int MaxNamesPerIndex = 10;

    private static readonly TimeSpan StatisticsWait = TimeSpan.FromSeconds(10);

    /// <param name="lastCheckpointId">The restored checkpoint, 0 for a fresh start.</param>
    /// <param name="ownFirstNumber">The number of the writer's own first transaction, which it opens (and so fences) itself.</param>
    public void AbortLingering(long lastCheckpointId, IReadOnlyList<KafkaWriterState> restored, long ownFirstNumber)
    {
        var prefixes = restored.GroupBy(s => s.TransactionalIdPrefix)
            .Select(g => (Prefix: g.Key, Parallelism: g.Max(s => s.Parallelism)))
            .ToList();
        if (settings.TransactionalIdPrefix is { } current && prefixes.All(p => p.Prefix != current))
        {
            // A fresh start, or state without this prefix: only this subtask's own names are known to be ours.
            prefixes.Add((current, 0));
        }

        foreach (var (prefix, parallelism) in prefixes)
        {
            var own = prefix == settings.TransactionalIdPrefix;
            var owned = new HashSet<int>();
            for (var index = context.SubtaskIndex; index < Math.Max(parallelism, own ? context.SubtaskIndex + 1 : 0); index += context.Parallelism)
            {
                owned.Add(index);
            }

            // Pre-committed here after the restored checkpoint: known for sure, also beyond a gap in the names.
            foreach (var prepared in PreparedTransactions.TakeAll(id => TransactionalIds.TryParse(id, prefix, out var index, out var number) && owned.Contains(index) && number > lastCheckpointId))
            {
                AbortPrepared(prepared);
            }

            foreach (var index in owned)
            {
                AbortFrom(prefix, index, own && index == context.SubtaskIndex ? ownFirstNumber + 1 : lastCheckpointId + 1);
            }
        }
    }

    private void AbortFrom(string prefix, int index, long first)
    {
        for (var number = first; number < first + MaxNamesPerIndex; number++)
        {
            if (Fence(TransactionalIds.For(prefix, index, number)) == 0)
            {
                return;
            }
        }
    }

    /// <summary>Aborts a transaction pre-committed in this process for a checkpoint that was not restored, through its own producer.</summary>
    public void AbortPrepared(SinkProducer prepared)
    {
        var id = prepared.TransactionalId!;
        using (prepared)
        {
            try
            {
                TransactionCalls.AbortTransaction(prepared);
                settings.Observe(KafkaTransactionStep.AbortedPrepared, id, prepared.Instance);
                return;
            }
            catch (KafkaSinkException)
            {
                // Its producer can no longer act (fenced, or the transaction timed out): a new producer ends the
                // transaction instead, and its failure, if any, is the one that counts.
            }
        }

        Fence(id);
    }

    /// <summary>Initializes <paramref name="transactionalId"/> and returns the producer epoch Kafka gave it (0: the id was new).</summary>
    private short Fence(string transactionalId)
    {
        var config = settings.ProducerConfig($"rill-kafka-sink-{context.SubtaskIndex}-abort", transactionalId);
        config["statistics.interval.ms"] = "10";
        short? epoch = null;
        using var seen = new ManualResetEventSlim();
        using var producer = new SinkProducer(config, trackDeliveries: false, statistics: json =>
        {
            if (ReadEpoch(json) is { } e)
            {
                epoch = e;
                seen.Set();
            }
        });
        TransactionCalls.InitTransactions(producer);
        if (!seen.Wait(StatisticsWait))
        {
            throw new KafkaSinkException($"librdkafka reported no producer epoch for the transactional id '{transactionalId}' within {StatisticsWait.TotalSeconds} s after initializing it.");
        }

        settings.Observe(KafkaTransactionStep.Fenced, transactionalId, producer.Instance, epoch);
        return epoch!.Value;
    }

    /// <summary>The "eos" section of librdkafka's statistics once the producer holds an id: { "txn_state": "Ready", "producer_id": n, "producer_epoch": e }.</summary>
    private static short? ReadEpoch(string statistics)
    {
        using var document = JsonDocument.Parse(statistics);
        return document.RootElement.TryGetProperty("eos", out var eos)
            && eos.GetProperty("txn_state").GetString() == "Ready"
            && eos.GetProperty("producer_id").GetInt64() >= 0
                ? eos.GetProperty("producer_epoch").GetInt16()
                : null;
    }
}
