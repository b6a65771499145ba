using Rill.Sources;
using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// Hands the streams to the readers round-robin (stream i to reader i mod parallelism), pushed when a reader
/// registers, as Flink's Kafka enumerator does with partitions: every reader holds its streams at once, since an
/// unbounded stream never ends. A bounded source then tells each reader there is nothing more; an unbounded one does not,
/// so its readers keep running.
/// Positions that depend on the moment the job starts (<see cref="RedisStreamSplit.LastEntryNow"/>: the end of a bounded
/// read, the start of a "$" read) are resolved once, in <see cref="Start"/>, before any split is assigned: Redis is asked
/// for the last entry of those streams (one pipelined round trip) off the JobMaster's main thread through
/// <see cref="ISplitEnumeratorContext{TSplit}.CallAsync"/>, and the answer is applied on it, so the enumerator needs no
/// locks. Readers that register before the answer wait for it. A checkpoint taken before the answer keeps the unresolved
/// splits, which the restored enumerator resolves the same way; resolved splits are never resolved again, so a restore
/// never moves the end.
/// </summary>
internal sealed class RedisStreamSplitEnumerator<T> : ISplitEnumerator<RedisStreamSplit>
{
    private readonly ISplitEnumeratorContext<RedisStreamSplit> _context;
    private readonly RedisStreamSourceOptions<T> _options;
    // Per subtask, the splits waiting for that reader to register (or to ask).
    private readonly Dictionary<int, List<RedisStreamSplit>> _unassigned = [];
    // Readers that registered while the positions were being resolved: they get their splits with the answer.
    private readonly HashSet<int> _waitingReaders = [];
    private bool _resolved;

    public RedisStreamSplitEnumerator(ISplitEnumeratorContext<RedisStreamSplit> context, RedisStreamSourceOptions<T> options, IReadOnlyList<RedisStreamSplit> splits)
    {
        _context = context;
        _options = options;
        for (var i = 0; i < splits.Count; i++)
        {
            Owned(i % context.CurrentParallelism).Add(splits[i]);
        }

        _resolved = !splits.Any(s => s.IsUnresolved);
    }

    public void Start()
    {
        if (_resolved)
        {
            return;
        }

        // Captured here, on the main thread: the call off it touches nothing of the enumerator.
        var connection = _options.Connection;
        var streams = _unassigned.Values.SelectMany(s => s).Where(s => s.IsUnresolved).Select(s => s.Stream).Distinct().ToList();
        _context.CallAsync(() => LastEntryIds(connection, streams), (lastEntries, error) => OnResolved(lastEntries, error, streams), TimeSpan.Zero, TimeSpan.Zero);
    }

    public void AddReader(int subtask)
    {
        if (_resolved)
        {
            Assign(subtask);
        }
        else
        {
            _waitingReaders.Add(subtask);
        }
    }

    public void HandleSplitRequest(int subtask) => AddReader(subtask);

    /// <summary>A failed reader's splits go back to its subtask, for the reader that registers there next.</summary>
    public void AddSplitsBack(IReadOnlyList<RedisStreamSplit> splits, int subtask) => Owned(subtask).AddRange(splits);

    public IReadOnlyList<RedisStreamSplit> SnapshotState(long checkpointId) => [.. _unassigned.Values.SelectMany(s => s)];

    /// <summary>Runs on the main thread. A failure fails the job: without the positions no reader can start correctly.</summary>
    private void OnResolved(Dictionary<string, string?>? lastEntries, Exception? error, List<string> streams)
    {
        if (error is not null || lastEntries is null)
        {
            throw new IOException(
                $"Redis Streams source could not find the last entries of {string.Join(", ", streams)} at '{_options.Connection}': {error?.Message ?? "no answer"}", error);
        }

        foreach (var splits in _unassigned.Values)
        {
            for (var i = 0; i < splits.Count; i++)
            {
                if (splits[i].IsUnresolved)
                {
                    var last = lastEntries[splits[i].Stream] ?? StreamEntryId.Zero.ToString();
                    splits[i] = splits[i].ResolvedAt(last);
                }
            }
        }

        _resolved = true;
        foreach (var subtask in _waitingReaders)
        {
            Assign(subtask);
        }

        _waitingReaders.Clear();
    }

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

    /// <summary>
    /// Off the main thread: the id of each stream's last entry, null for a stream that is empty or does not exist. The
    /// connection belongs to this call alone and is closed by it, also when the enumerator is disposed meanwhile (the
    /// answer then goes nowhere), so nothing closes it while the query uses it.
    /// </summary>
    private static Dictionary<string, string?> LastEntryIds(string configuration, List<string> streams)
    {
        using var connection = RedisConnectionFactory.Connect(configuration, "Redis Streams source (split enumerator)");
        var database = connection.GetDatabase();
        var queries = streams.Select(s => database.StreamRangeAsync(s, "-", "+", count: 1, messageOrder: Order.Descending)).ToList();
        Task.WhenAll(queries).GetAwaiter().GetResult();
        return streams.Zip(queries, (stream, query) => (stream, query.Result is [var last, ..] ? (string?)last.Id.ToString() : null))
            .ToDictionary(x => x.stream, x => x.Item2, StringComparer.Ordinal);
    }
}
