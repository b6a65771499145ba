using Rill.Sources;
using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// Hands the streams to the readers round-robin (stream i to reader i mod parallelism), pushed when a reader
/// registers, as Flink's Kafka enumerator does with partitions: every reader holds its streams at once, since an
/// unbounded stream never ends. A bounded source then tells each reader there is nothing more; an unbounded one does not,
/// so its readers keep running.
/// A fresh start resolves positions once, in <see cref="Start"/>: the end of each stream for a bounded source (its last
/// entry now, so entries added while the job runs are not read), and the current end for a "$" start. A restored
/// enumerator gets splits that are already resolved, so a restore never moves the end.
/// Start runs on the JobManager's main thread; it asks Redis once for all streams (one pipelined round trip).
/// </summary>
internal sealed class RedisStreamSplitEnumerator<T> : ISplitEnumerator<RedisStreamSplit>
{
    private readonly ISplitEnumeratorContext<RedisStreamSplit> _context;
    private readonly RedisStreamSourceOptions<T> _options;
    private readonly bool _resolveOnStart;
    // Per subtask, the splits waiting for that reader to register (or to ask).
    private readonly Dictionary<int, List<RedisStreamSplit>> _unassigned = [];

    public RedisStreamSplitEnumerator(ISplitEnumeratorContext<RedisStreamSplit> context, RedisStreamSourceOptions<T> options,
        IReadOnlyList<RedisStreamSplit> splits, bool resolveOnStart)
    {
        _context = context;
        _options = options;
        _resolveOnStart = resolveOnStart;
        for (var i = 0; i < splits.Count; i++)
        {
            Owned(i % context.CurrentParallelism).Add(splits[i]);
        }
    }

    public void Start()
    {
        if (!_resolveOnStart || (!_options.Bounded && _options.StartingId != RedisStreamSourceOptions<T>.Latest))
        {
            return;
        }

        var lastEntries = LastEntryIds();
        foreach (var splits in _unassigned.Values)
        {
            for (var i = 0; i < splits.Count; i++)
            {
                var last = lastEntries[splits[i].Stream] ?? StreamEntryId.Zero.ToString();
                splits[i] = splits[i] with
                {
                    LastId = _options.StartingId == RedisStreamSourceOptions<T>.Latest ? last : splits[i].LastId,
                    EndId = _options.Bounded ? last : null,
                };
            }
        }
    }

    public void AddReader(int subtask) => Assign(subtask);

    public void HandleSplitRequest(int subtask) => Assign(subtask);

    /// <summary>A failed reader's splits go back to its subtask, for the reader that registers there next.</summary>
    public void AddSplitsBack(IReadOnlyList<RedisStreamSplit> splits, int subtask) => Owned(subtask).AddRange(splits);

    public IReadOnlyList<RedisStreamSplit> SnapshotState(long checkpointId) => [.. _unassigned.Values.SelectMany(s => s)];

    private void Assign(int subtask)
    {
        if (_unassigned.Remove(subtask, out var splits))
        {
            foreach (var split in splits)
            {
                _context.AssignSplit(split, subtask);
            }
        }

        if (_options.Bounded)
        {
            _context.SignalNoMoreSplits(subtask);
        }
    }

    private List<RedisStreamSplit> Owned(int subtask)
    {
        if (!_unassigned.TryGetValue(subtask, out var splits))
        {
            _unassigned[subtask] = splits = [];
        }

        return splits;
    }

    /// <summary>The id of each stream's last entry, null for a stream that is empty or does not exist.</summary>
    private Dictionary<string, string?> LastEntryIds()
    {
        using var connection = RedisConnectionFactory.Connect(_options.Connection, "Redis Streams source (split enumerator)");
        var database = connection.GetDatabase();
        var streams = _unassigned.Values.SelectMany(s => s).Select(s => s.Stream).Distinct().ToList();
        var queries = streams.Select(s => database.StreamRangeAsync(s, "-", "+", count: 1, messageOrder: Order.Descending)).ToList();
        try
        {
            Task.WhenAll(queries).GetAwaiter().GetResult();
        }
        catch (RedisException e)
        {
            throw new IOException($"Redis Streams source could not find the last entries of {string.Join(", ", streams)}: {e.Message}", e);
        }

        return streams.Zip(queries, (stream, query) => (stream, query.Result is [var last, ..] ? (string?)last.Id.ToString() : null))
            .ToDictionary(x => x.stream, x => x.Item2, StringComparer.Ordinal);
    }
}
