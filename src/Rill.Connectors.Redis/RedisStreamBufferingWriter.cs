using Rill.Sinks;

namespace Rill.Connectors.Redis;

/// <summary>
/// The exactly-once writer of <see cref="RedisStreamSink{T}"/>: keeps the records of the current checkpoint interval
/// and hands them over as committables at the checkpoint; nothing reaches Redis before the checkpoint completes.
/// </summary>
internal sealed class RedisStreamBufferingWriter<T>(RedisStreamSinkOptions<T> options, SinkWriterContext context)
    : ICommittingSinkWriter<T, RedisStreamCommittable>
{
    /// <summary>Entries per committable at most: a chunk is one script on the server, which blocks other clients while it runs.</summary>
    internal const int MaxEntriesPerChunk = 1000;

    /// <summary>Bytes of fields and values per committable at most (a single larger entry gets a chunk of its own).</summary>
    internal const int MaxBytesPerChunk = 1 << 20;

    // Random per writer: a restarted attempt must not reuse an earlier attempt's marker, whose batches it does not know.
    private readonly string _writerId = $"{context.SubtaskIndex}-{Guid.NewGuid().ToString("N")[..16]}";
    private readonly Dictionary<string, List<RedisStreamCommittable.Entry>> _pending = new(StringComparer.Ordinal);
    private long _nextBatch;

    public void Write(T value, long? timestamp)
    {
        var (stream, entry) = options.Format(value);
        if (!_pending.TryGetValue(stream, out var entries))
        {
            _pending[stream] = entries = [];
        }

        entries.Add(entry);
    }

    /// <summary>Nothing to do: the records are in the next checkpoint's committables, written when it completes.</summary>
    public void Flush(bool endOfInput)
    {
    }

    public IReadOnlyList<RedisStreamCommittable> PrepareCommit(long checkpointId)
    {
        if (_pending.Count == 0)
        {
            return [];
        }

        var batch = _nextBatch++;
        var committables = new List<RedisStreamCommittable>();
        foreach (var (stream, entries) in _pending)
        {
            var chunk = 0;
            var start = 0;
            var bytes = 0L;
            for (var i = 0; i < entries.Count; i++)
            {
                var size = entries[i].Fields.Sum(f => (long)f.Length) + entries[i].Values.Sum(v => (long)v.Length);
                if (i > start && (i - start == MaxEntriesPerChunk || bytes + size > MaxBytesPerChunk))
                {
                    committables.Add(new RedisStreamCommittable(stream, _writerId, batch, chunk++, [.. entries.GetRange(start, i - start)]));
                    start = i;
                    bytes = 0;
                }

                bytes += size;
            }

            committables.Add(new RedisStreamCommittable(stream, _writerId, batch, chunk, [.. entries.GetRange(start, entries.Count - start)]));
        }

        _pending.Clear();
        return committables;
    }

    public void Dispose()
    {
    }
}
