using System.Collections.Concurrent;
using Confluent.Kafka;
using Rill.Connectors.Kafka.Sink;

namespace Rill.Connectors.Tests.Kafka.Sink;

/// <summary>
/// Records what an exactly-once Kafka sink did, step by step. The development broker accepts transactions but does
/// not hide aborted records from read_committed consumers, so <see cref="CommittedPositions"/> tells, from the sink's
/// own delivery reports, which records a real broker would show them: those of transactions committed by the producer
/// that wrote them.
/// </summary>
internal sealed class TransactionRecorder
{
    private readonly ConcurrentQueue<KafkaTransactionEvent> _events = new();

    public void Record(KafkaTransactionEvent e)
    {
        _events.Enqueue(e);
        AnyCommitted |= e.Step == KafkaTransactionStep.Committed;
    }

    public bool AnyCommitted { get; private set; }

    public IReadOnlyList<KafkaTransactionEvent> Events => _events.ToList();

    public IReadOnlyList<string> Steps(KafkaTransactionStep step) => _events.Where(e => e.Step == step).Select(e => e.TransactionalId).ToList();

    /// <summary>"Step id" lines in order, for asserting a sequence.</summary>
    public IReadOnlyList<string> Trace() => _events.Select(e => $"{e.Step} {e.TransactionalId}").ToList();

    public HashSet<(string Topic, int Partition, long Offset)> CommittedPositions()
    {
        var events = _events.ToList();
        var committed = events.Where(e => e.Step == KafkaTransactionStep.Committed).Select(e => e.Producer).ToHashSet();
        return events.Where(e => e.Step == KafkaTransactionStep.PreCommitted && committed.Contains(e.Producer))
            .SelectMany(e => e.Records)
            .Select(r => (r.Topic, r.Partition.Value, r.Offset.Value))
            .ToHashSet();
    }

    public List<ConsumeResult<string?, string?>> Committed(IEnumerable<ConsumeResult<string?, string?>> records)
    {
        var positions = CommittedPositions();
        return records.Where(r => positions.Contains((r.Topic, r.Partition.Value, r.Offset.Value))).ToList();
    }
}
