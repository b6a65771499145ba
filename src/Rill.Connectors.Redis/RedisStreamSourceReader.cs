using Rill.Sources;
using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// Reads its streams with non-blocking XREADs, one at a time in flight, for all of them at once. The task thread never
/// waits for Redis: <see cref="PollNext"/> emits what an answered read returned and sends the next read;
/// <see cref="IsAvailable"/> completes when an answer, a split or the poll timer arrives. A read that brings entries is
/// followed by the next at once (reading ahead while the previous entries are emitted); an empty one waits the poll
/// interval (StackExchange.Redis multiplexes its connection and cannot send a blocking XREAD).
/// The position per stream is the id of the last entry emitted, which is what a checkpoint stores; entries read ahead
/// but not yet emitted are read again after a restore.
/// <para>
/// Each stream has its own output, so its own watermark (Flink's per-split watermarks): the subtask's watermark is the
/// minimum over its streams, so a stream that runs ahead cannot make another one's entries late. Every assigned stream
/// gets its output before any entry is emitted (one that has not delivered yet holds the watermark back), and a bounded
/// stream read to its end releases it. As in Flink, the reader marks itself idle only when it has no stream to read; a
/// stream that merely has nothing new keeps holding the watermark back unless the watermark strategy says how long
/// that may last (<c>WatermarkStrategy.WithIdleness</c>, which works per stream).
/// </para>
/// </summary>
internal sealed class RedisStreamSourceReader<T>(RedisStreamSourceOptions<T> options, ISourceReaderContext context) : ISourceReader<T, RedisStreamSplit>
{
    /// <summary>Records emitted per poll at most, so mail (timers, checkpoints) is not starved.</summary>
    private const int EmitBatch = 512;

    private readonly List<Cursor> _cursors = [];
    private readonly Queue<(Cursor Cursor, StreamEntry[] Entries)> _ready = new();
    private readonly Lock _signalLock = new();
    private readonly ConsumerGroupProgress? _progress = options.MonitoringGroup is { } group ? new ConsumerGroupProgress(group) : null;
    private int _readyOffset;
    private ConnectionMultiplexer? _connection;
    private Task<RedisStream[]>? _read;
    private Cursor[] _readCursors = [];
    private IDisposable? _pollTimer;
    // Set by the poll timer's thread, read by the task thread.
    private volatile bool _pollDue = true;
    private bool _noMoreSplits;
    private bool _cursorsWithoutOutput;
    private TaskCompletionSource _available = new();
    private bool _signaled;

    public void Start() => _connection = RedisConnectionFactory.Connect(options.Connection, $"Redis Streams source (subtask {context.IndexOfSubtask})");

    public InputStatus PollNext(IReaderOutput<T> output)
    {
        lock (_signalLock)
        {
            if (_signaled)
            {
                _signaled = false;
                _available = new TaskCompletionSource();
            }
        }

        if (_read is { IsCompleted: true } answered)
        {
            Harvest(answered);
        }

        if (_cursorsWithoutOutput)
        {
            foreach (var cursor in _cursors.Where(c => c.Output is null && !c.Finished(_ready)))
            {
                cursor.Output = output.CreateOutputForSplit(cursor.Stream);
            }

            _cursorsWithoutOutput = false;
        }

        Emit(output);
        ReleaseFinished(output);
        if (_read is null && _ready.Count <= 1 && _pollDue && _cursors.Any(c => !c.ReadToEnd))
        {
            SendRead();
        }

        if (_ready.Count > 0)
        {
            return InputStatus.MoreAvailable;
        }

        if (_cursors.All(c => c.ReadToEnd))
        {
            if (_noMoreSplits && _read is null)
            {
                return InputStatus.EndOfInput;
            }

            // No stream to read (none assigned yet, or all bounded ones read): downstream need not wait for this subtask.
            output.MarkIdle();
        }

        return InputStatus.NothingAvailable;
    }

    public Task IsAvailable()
    {
        lock (_signalLock)
        {
            return _signaled ? Task.CompletedTask : _available.Task;
        }
    }

    public void AddSplits(IReadOnlyList<RedisStreamSplit> splits)
    {
        foreach (var split in splits)
        {
            var cursor = new Cursor(split.Stream, split.LastId, split.EndId is null ? null : StreamEntryId.Parse(split.EndId));
            // A bounded stream that was empty when the job started, or is already read up to its end, has nothing to read.
            cursor.ReadToEnd = cursor.End is { } end && StreamEntryId.Parse(split.LastId) >= end;
            _cursors.Add(cursor);
        }

        _cursorsWithoutOutput = true;
        Signal();
    }

    public void NotifyNoMoreSplits()
    {
        _noMoreSplits = true;
        Signal();
    }

    /// <summary>The streams not finished yet, each at the last entry emitted.</summary>
    public IReadOnlyList<RedisStreamSplit> SnapshotState(long checkpointId)
    {
        _progress?.Snapshot(checkpointId, _cursors.Select(c => (c.Stream, c.EmittedId)));
        return [.. _cursors.Where(c => !c.Finished(_ready)).Select(c => new RedisStreamSplit(c.Stream, c.EmittedId, c.End?.ToString()))];
    }

    public void NotifyCheckpointComplete(long checkpointId) => _progress?.CheckpointComplete(checkpointId, _connection!.GetDatabase());

    public void Dispose()
    {
        _pollTimer?.Dispose();
        // An XREAD still in flight fails with the connection; nobody waits for it any more.
        _read?.ContinueWith(static r => _ = r.Exception, TaskScheduler.Default);
        _connection?.Dispose();
    }

    private void SendRead()
    {
        var database = (_connection ?? throw new InvalidOperationException("The Redis Streams reader was not started.")).GetDatabase();
        _readCursors = [.. _cursors.Where(c => !c.ReadToEnd)];
        var positions = _readCursors.Select(c => new StreamPosition(c.Stream, c.ReadId)).ToArray();
        _read = database.StreamReadAsync(positions, options.ReadCount);
        _read.ContinueWith(_ => Signal(), TaskContinuationOptions.ExecuteSynchronously);
    }

    private void Harvest(Task<RedisStream[]> read)
    {
        _read = null;
        if (!read.IsCompletedSuccessfully)
        {
            var cause = read.Exception?.InnerException ?? new TaskCanceledException(read);
            throw new IOException(
                $"Redis Streams source (subtask {context.IndexOfSubtask}) could not read {string.Join(", ", _readCursors.Select(c => c.Stream))}: {cause.Message}", cause);
        }

        var any = false;
        var answered = (read.Result ?? []).Where(s => s.Entries is { Length: > 0 }).ToDictionary(s => (string)s.Key!, s => s.Entries, StringComparer.Ordinal);
        foreach (var cursor in _readCursors)
        {
            if (!answered.TryGetValue(cursor.Stream, out var entries))
            {
                // Nothing after the position: a bounded stream is read (its end has passed or was deleted); an
                // unbounded one may grow later.
                cursor.ReadToEnd |= cursor.End is not null;
                continue;
            }

            any = true;
            cursor.ReadId = entries[^1].Id.ToString();
            if (cursor.End is { } end)
            {
                var inRange = entries.TakeWhile(e => StreamEntryId.Parse(e.Id.ToString()) <= end).ToArray();
                cursor.ReadToEnd = inRange.Length < entries.Length || StreamEntryId.Parse(cursor.ReadId) >= end;
                entries = inRange;
            }

            if (entries.Length > 0)
            {
                _ready.Enqueue((cursor, entries));
            }
        }

        if (!any)
        {
            // Nothing new anywhere: ask again after the poll interval instead of spinning.
            _pollDue = false;
            var clock = context.ProcessingTime;
            _pollTimer?.Dispose();
            _pollTimer = clock.RegisterTimer(clock.CurrentTime + Math.Max(1, (long)options.PollInterval.TotalMilliseconds), _ =>
            {
                _pollDue = true;
                Signal();
            });
        }
    }

    private void Emit(IReaderOutput<T> output)
    {
        var budget = EmitBatch;
        while (budget > 0 && _ready.TryPeek(out var batch))
        {
            var (cursor, entries) = batch;
            while (budget > 0 && _readyOffset < entries.Length)
            {
                var entry = entries[_readyOffset++];
                var record = new RedisStreamEntry(cursor.Stream, entry.Id.ToString(), entry.Values);
                cursor.Output!.Collect(options.Deserializer(record), record.Timestamp);
                cursor.EmittedId = record.Id;
                budget--;
            }

            if (_readyOffset == entries.Length)
            {
                _ready.Dequeue();
                _readyOffset = 0;
                ReleaseIfFinished(cursor, output);
            }
        }
    }

    /// <summary>Streams that a read found at their end with nothing left to emit.</summary>
    private void ReleaseFinished(IReaderOutput<T> output)
    {
        foreach (var cursor in _cursors)
        {
            ReleaseIfFinished(cursor, output);
        }
    }

    /// <summary>A bounded stream read to its end and emitted no longer holds the subtask's watermark back.</summary>
    private void ReleaseIfFinished(Cursor cursor, IReaderOutput<T> output)
    {
        if (cursor is { Output: not null, Released: false } && cursor.Finished(_ready))
        {
            output.ReleaseOutputForSplit(cursor.Stream);
            cursor.Released = true;
        }
    }

    private void Signal()
    {
        TaskCompletionSource available;
        lock (_signalLock)
        {
            _signaled = true;
            available = _available;
        }

        available.TrySetResult();
    }

    /// <summary>One stream: the last entry emitted, the last entry read (ahead), and where a bounded read ends.</summary>
    private sealed class Cursor(string stream, string lastId, StreamEntryId? end)
    {
        public string Stream { get; } = stream;

        public StreamEntryId? End { get; } = end;

        public string EmittedId { get; set; } = lastId;

        public string ReadId { get; set; } = lastId;

        /// <summary>Bounded only: no read will bring more (what was read may still wait to be emitted).</summary>
        public bool ReadToEnd { get; set; }

        /// <summary>The stream's own output (and watermark), created before the reader emits anything.</summary>
        public IReaderOutput<T>? Output { get; set; }

        /// <summary>The stream is finished and its output released.</summary>
        public bool Released { get; set; }

        public bool Finished(IEnumerable<(Cursor Cursor, StreamEntry[] Entries)> ready) => ReadToEnd && ready.All(r => r.Cursor != this);
    }
}
