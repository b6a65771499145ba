using System.Collections.Concurrent;
using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Rill.Logging;

namespace Rill.Connectors.Kafka.Source;

/// <summary>
/// Consumes a reader's partitions on a thread of its own (Flink's SplitFetcher): the consumer is only ever touched here, the
/// task thread takes finished batches from a small bounded queue (a full queue stops fetching: backpressure), and changes
/// (new partitions, offset commits) come in as commands run between polls.
/// </summary>
internal sealed class PartitionFetcher : IDisposable
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<PartitionFetcher>();
    private const int MaxBatch = 1024;
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly Channel<FetchedBatch> _batches = Channel.CreateBounded<FetchedBatch>(new BoundedChannelOptions(8)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly ConcurrentQueue<Action> _commands = new();
    // Commits still waiting when the reader closes (the final checkpoint's, typically) are done on close.
    private readonly ConcurrentQueue<Action> _commits = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly string _description;
    // Fetch thread only: the assigned partitions and where each stops (null: never).
    private readonly Dictionary<TopicPartition, long?> _stops = [];
    // Fetch thread only: where each assigned partition started, its position until the first record is consumed.
    private readonly Dictionary<TopicPartition, long> _starts = [];
    private List<ConsumeResult<byte[]?, byte[]?>> _records = new(MaxBatch);
    private List<TopicPartition> _finished = [];
    private volatile Exception? _error;
    private int _failedCommits;
    // FLIP-33's pendingRecords, refreshed by the fetch thread at most once per interval (never per record): -1 until known.
    private static readonly TimeSpan PendingRecordsInterval = TimeSpan.FromSeconds(1);
    private long _pendingRecords = -1;
    private long _nextPendingRecordsAt;

    public PartitionFetcher(ConsumerConfig config, string description)
    {
        _description = description;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, message) => KafkaClientLogging.Log(message)).Build();
        _thread = new Thread(Run) { IsBackground = true, Name = $"Kafka fetcher ({description})" };
        _thread.Start();
    }

    public ChannelReader<FetchedBatch> Batches => _batches.Reader;

    /// <summary>Why fetching stopped (a broker error, a lost position); the reader rethrows it on the task thread.</summary>
    public Exception? Error => _error;

    public int FailedCommits => Volatile.Read(ref _failedCommits);

    /// <summary>Records behind the assigned partitions' high watermarks (last known); -1 while not known. Any thread.</summary>
    public long PendingRecords => Volatile.Read(ref _pendingRecords);

    public void Add(IReadOnlyList<KafkaPartitionSplit> splits) => Post(() => Assign(splits));

    /// <summary>Commits offsets to the group (monitoring only: a failure is reported, never fatal, as in Flink).</summary>
    public void Commit(IReadOnlyList<TopicPartitionOffset> offsets, long checkpointId)
    {
        _commits.Enqueue(() => CommitNow(offsets, checkpointId));
        _wake.Release();
    }

    private void CommitNow(IReadOnlyList<TopicPartitionOffset> offsets, long checkpointId)
    {
        try
        {
            _consumer.Commit(offsets);
        }
        catch (KafkaException e)
        {
            Interlocked.Increment(ref _failedCommits);
            Logger.LogWarning(e, "Kafka source ({Source}): committing the offsets of checkpoint {CheckpointId} failed: {Reason}. "
                + "The source's positions are in the checkpoint; only the group's lag reporting is behind.", _description, checkpointId, e.Error.Reason);
        }
    }

    private void Post(Action command)
    {
        _commands.Enqueue(command);
        _wake.Release();
    }

    private void Assign(IReadOnlyList<KafkaPartitionSplit> splits)
    {
        var assign = new List<TopicPartitionOffset>();
        foreach (var split in splits)
        {
            var partition = new TopicPartition(split.Topic, split.Partition);
            if (split.IsFinished)
            {
                _finished.Add(partition);
                continue;
            }

            // A checkpointed position that retention deleted would make the consumer jump: refuse instead.
            var log = _consumer.QueryWatermarkOffsets(partition, KafkaSourceSettings.RequestTimeout);
            if (split.StartingOffset < log.Low.Value)
            {
                throw new KafkaSourceException($"Kafka partition {split.Topic}[{split.Partition}] now starts at offset {log.Low.Value}, but the source's position is {split.StartingOffset}: "
                    + $"the {log.Low.Value - split.StartingOffset} records in between were deleted (retention?). Refusing to skip them: restore from a newer checkpoint, or start with other starting offsets.");
            }

            _stops[partition] = split.StoppingOffset;
            _starts[partition] = split.StartingOffset;
            assign.Add(new TopicPartitionOffset(partition, split.StartingOffset));
        }

        if (assign.Count > 0)
        {
            _consumer.IncrementalAssign(assign);
        }
    }

    private void Run()
    {
        var stop = _stop.Token;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                while (_commands.TryDequeue(out var command))
                {
                    command();
                }

                RunCommits();

                if (_stops.Count == 0)
                {
                    Publish(stop);
                    _wake.Wait(PollTimeout, stop);
                    continue;
                }

                var result = _consumer.Consume(_records.Count == 0 && _finished.Count == 0 ? PollTimeout : TimeSpan.Zero);
                if (result is null)
                {
                    Publish(stop);
                    continue;
                }

                Accept(result);
                if (_records.Count >= MaxBatch)
                {
                    Publish(stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: the reader is closing.
        }
        catch (ConsumeException e)
        {
            Fail(new KafkaSourceException($"Kafka source ({_description}) could not read {e.ConsumerRecord?.TopicPartitionOffset}: {e.Error.Reason}", e));
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Accept(ConsumeResult<byte[]?, byte[]?> result)
    {
        var partition = result.TopicPartition;
        if (!_stops.TryGetValue(partition, out var stopAt))
        {
            return; // fetched before the partition finished and was unassigned
        }

        if (stopAt is { } end && result.Offset.Value >= end)
        {
            Finish(partition);
            return;
        }

        if (result.IsPartitionEOF)
        {
            return;
        }

        _records.Add(result);
        // Stop right after the last record before the end: no need to wait for a record or an EOF past it.
        if (stopAt is { } last && result.Offset.Value + 1 >= last)
        {
            Finish(partition);
        }
    }

    private void Finish(TopicPartition partition)
    {
        _consumer.IncrementalUnassign([partition]);
        _stops.Remove(partition);
        _starts.Remove(partition);
        _finished.Add(partition);
    }

    private void Publish(CancellationToken stop)
    {
        // Publish runs once per batch or empty poll: the place to refresh the gauge without touching the per-record path.
        RefreshPendingRecordsIfDue();
        if (_records.Count == 0 && _finished.Count == 0)
        {
            return;
        }

        var batch = new FetchedBatch(_records, _finished);
        _records = new List<ConsumeResult<byte[]?, byte[]?>>(MaxBatch);
        _finished = [];
        while (!_batches.Writer.TryWrite(batch))
        {
            var writable = _batches.Writer.WaitToWriteAsync(stop).AsTask();
            // Backpressured: the reader is behind and the lag grows now, so the gauge stays fresh while the fetcher waits.
            while (!((IAsyncResult)writable).AsyncWaitHandle.WaitOne(PendingRecordsInterval))
            {
                RefreshPendingRecordsIfDue();
            }

            if (!writable.GetAwaiter().GetResult())
            {
                throw new InvalidOperationException("The batch queue was completed while its only writer, the fetch thread, was writing.");
            }
        }
    }

    private void RefreshPendingRecordsIfDue()
    {
        if (Environment.TickCount64 >= _nextPendingRecordsAt)
        {
            _nextPendingRecordsAt = Environment.TickCount64 + (long)PendingRecordsInterval.TotalMilliseconds;
            UpdatePendingRecords();
        }
    }

    /// <summary>
    /// The high watermark librdkafka cached from its last fetch response minus the consumer's position (before the first
    /// record: the split's starting offset), summed over the assigned partitions: local reads, no broker round trip. A
    /// partition whose high watermark is not known yet (no fetch response so far) leaves the sum unknown rather than
    /// reporting too little.
    /// </summary>
    private void UpdatePendingRecords()
    {
        if (_stops.Count == 0)
        {
            Volatile.Write(ref _pendingRecords, 0);
            return;
        }

        var pending = 0L;
        foreach (var partition in _stops.Keys)
        {
            var high = _consumer.GetWatermarkOffsets(partition).High;
            var consumed = _consumer.Position(partition);
            var position = consumed.IsSpecial ? new Offset(_starts[partition]) : consumed;
            if (high.IsSpecial || position.IsSpecial)
            {
                Volatile.Write(ref _pendingRecords, -1);
                return;
            }

            pending += Math.Max(0, high.Value - position.Value);
        }

        Volatile.Write(ref _pendingRecords, pending);
    }

    private void RunCommits()
    {
        while (_commits.TryDequeue(out var commit))
        {
            commit();
        }
    }

    private void Fail(Exception error)
    {
        _error = error;
        _batches.Writer.TryComplete(error);
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (!_thread.Join(KafkaSourceSettings.RequestTimeout + TimeSpan.FromSeconds(5)))
        {
            // Closing a librdkafka handle another thread still uses can crash the process: leave it to the process's end.
            Logger.LogWarning("Kafka source ({Source}): the fetcher thread did not stop within {TimeoutSeconds:0} s; its consumer is left open.",
                _description, KafkaSourceSettings.RequestTimeout.TotalSeconds + 5);
            return;
        }

        if (_error is null)
        {
            RunCommits();
        }

        _consumer.Close();
        _consumer.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }
}
