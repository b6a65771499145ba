using Confluent.Kafka;

namespace Rill.Bench.Kafka;

/// <summary>How Streamiz runs; stated in the bench's output so the comparison can be judged.</summary>
/// <param name="Repartition">SelectKey from the parsed line (through a repartition topic), else groupByKey on the record key.</param>
/// <param name="Threads">Stream threads (NumStreamThreads).</param>
/// <param name="CommitMs">Commit interval: the record cache is flushed downstream at every commit.</param>
/// <param name="CacheMb">Record cache of the window store, 0 = none (Streamiz's default is none).</param>
/// <param name="Changelog">Changelog topic for the window store (Streamiz's default, its fault tolerance).</param>
/// <param name="Compression">Compression of everything Streamiz produces (repartition, changelog, output): the input's.</param>
public sealed record StreamizSettings(bool Repartition, int Threads, long CommitMs, int CacheMb, bool Changelog, CompressionType Compression);
