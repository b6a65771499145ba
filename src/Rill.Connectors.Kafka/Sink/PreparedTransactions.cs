namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// The producers of pre-committed transactions in this process, by transactional id. librdkafka can only commit a
/// transaction through the producer that wrote it (it cannot resume one from its producer id and epoch, as Flink does
/// with the Java client), so a writer hands its producer over here at the checkpoint and the committer takes it when
/// the checkpoint completes. The handover outlives the writer: when a task fails after a checkpoint completed but before
/// its commit ran, the restarted task (same process: embedded, or a TaskManager that survived) still commits it.
/// A producer nobody takes is released after the transaction timeout, when Kafka has aborted its transaction anyway.
/// </summary>
internal static class PreparedTransactions
{
    private const int RememberedCommits = 10_000;
    private static readonly Lock Lock = new();
    private static readonly Dictionary<string, (SinkProducer Producer, Timer Release)> Waiting = new(StringComparer.Ordinal);
    private static readonly HashSet<string> Committed = new(StringComparer.Ordinal);
    private static readonly Queue<string> CommitOrder = new();
    private static readonly HashSet<string> Expired = new(StringComparer.Ordinal);

    public static void Park(SinkProducer producer, TimeSpan transactionTimeout)
    {
        var id = producer.TransactionalId ?? throw new ArgumentException("Only transactional producers are parked.", nameof(producer));
        var release = new Timer(_ => Release(id, producer), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (Lock)
        {
            if (Waiting.Remove(id, out var stale))
            {
                // The same id was opened again (which fenced the old producer): the old one can only fail now.
                stale.Release.Dispose();
                stale.Producer.Dispose();
            }

            Waiting[id] = (producer, release);
            Committed.Remove(id);
            Expired.Remove(id);
        }

        release.Change(transactionTimeout + TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
    }

    /// <summary>The parked producer of <paramref name="transactionalId"/>, now owned by the caller; null when none is parked.</summary>
    public static SinkProducer? Take(string transactionalId)
    {
        lock (Lock)
        {
            if (!Waiting.Remove(transactionalId, out var entry))
            {
                return null;
            }

            entry.Release.Dispose();
            return entry.Producer;
        }
    }

    /// <summary>Every parked producer whose transactional id <paramref name="matches"/>, now owned by the caller.</summary>
    public static IReadOnlyList<SinkProducer> TakeAll(Func<string, bool> matches)
    {
        lock (Lock)
        {
            var taken = new List<SinkProducer>();
            foreach (var id in Waiting.Keys.Where(matches).ToList())
            {
                Waiting.Remove(id, out var entry);
                entry.Release.Dispose();
                taken.Add(entry.Producer);
            }

            return taken;
        }
    }

    public static void RememberCommitted(string transactionalId)
    {
        lock (Lock)
        {
            if (Committed.Add(transactionalId))
            {
                CommitOrder.Enqueue(transactionalId);
            }

            while (CommitOrder.Count > RememberedCommits)
            {
                Committed.Remove(CommitOrder.Dequeue());
            }
        }
    }

    /// <summary>True when a producer of this process committed <paramref name="transactionalId"/> (and it was not pre-committed again since).</summary>
    public static bool WasCommitted(string transactionalId)
    {
        lock (Lock)
        {
            return Committed.Contains(transactionalId);
        }
    }

    private static void Release(string id, SinkProducer producer)
    {
        lock (Lock)
        {
            if (!Waiting.TryGetValue(id, out var entry) || entry.Producer != producer)
            {
                return;
            }

            Waiting.Remove(id);
            entry.Release.Dispose();
            Expired.Add(id);
        }

        producer.Dispose();
    }

    /// <summary>True when this process released the producer of <paramref name="transactionalId"/> unused: Kafka aborted its transaction.</summary>
    public static bool HasExpired(string transactionalId)
    {
        lock (Lock)
        {
            return Expired.Contains(transactionalId);
        }
    }
}
