using Confluent.Kafka;
using Rill.Sources;

namespace Rill.Connectors.Kafka.Source;

/// <summary>
/// Reads the partitions assigned to one source subtask (Flink's KafkaSourceReader). A <see cref="PartitionFetcher"/> consumes
/// on its own thread; this side, on the task thread, deserializes, emits each partition's records through that partition's
/// own output (so each has its own watermark), and tracks the next offset per partition, which is what a checkpoint stores.
/// </summary>
internal sealed class KafkaSourceReader<T>(ISourceReaderContext context, KafkaSourceSettings settings, IKafkaRecordDeserializer<T> deserializer)
    : ISourceReader<T, KafkaPartitionSplit>
{
    private const int MaxRecordsPerPoll = 1024;

    private readonly Dictionary<TopicPartition, SplitProgress> _splits = [];
    private readonly SortedDictionary<long, List<TopicPartitionOffset>> _offsetsToCommit = [];
    // Finished partitions are no longer in the checkpoint, but their end still goes to the group (as Flink's offsetsOfFinishedSplits).
    private readonly Dictionary<TopicPartition, long> _finishedOffsets = [];
    private readonly string _clientId = $"rill-kafka-source-{context.IndexOfSubtask}";
    private PartitionFetcher? _fetcher;
    private DeadLetterWriter? _deadLetters;
    private FetchedBatch? _batch;
    private int _index;
    private bool _noMoreSplits;
    private bool _splitsWithoutOutput;
    private TaskCompletionSource _signal = new();
    private Task? _availability;

    public void Start()
    {
        _fetcher = new PartitionFetcher(settings.ConsumerConfig(_clientId), $"subtask {context.IndexOfSubtask}, {settings.Describe()}");
        var fetcher = _fetcher;
        context.MetricGroup.SetPendingRecordsGauge(() => fetcher.PendingRecords);
        if (settings.DeadLetterTopic is { } topic)
        {
            _deadLetters = new DeadLetterWriter(settings, topic, _clientId + "-dead-letters");
        }

        if (_splits.Count > 0)
        {
            _fetcher.Add(_splits.Values.Select(s => s.Split).ToList());
        }
    }

    public void AddSplits(IReadOnlyList<KafkaPartitionSplit> splits)
    {
        foreach (var split in splits)
        {
            _splits[new TopicPartition(split.Topic, split.Partition)] = new SplitProgress(split);
        }

        _splitsWithoutOutput = true;

        _fetcher?.Add(splits);
        Signal();
    }

    public void NotifyNoMoreSplits()
    {
        _noMoreSplits = true;
        Signal();
    }

    public InputStatus PollNext(IReaderOutput<T> output)
    {
        var fetcher = _fetcher ?? throw new InvalidOperationException("The Kafka source reader was not started.");
        if (fetcher.Error is { } error)
        {
            throw error;
        }

        // Every assigned partition gets its output (and so its watermark) before any record is emitted: a partition that
        // has not delivered yet must hold the subtask's watermark back, or its first records would be late.
        if (_splitsWithoutOutput)
        {
            foreach (var progress in _splits.Values)
            {
                progress.Output ??= output.CreateOutputForSplit(progress.Split.SplitId);
            }

            _splitsWithoutOutput = false;
        }

        var emitted = 0;
        while (emitted < MaxRecordsPerPoll)
        {
            if (_batch is null)
            {
                if (!fetcher.Batches.TryRead(out _batch))
                {
                    break;
                }

                _index = 0;
            }

            var records = _batch.Records;
            while (_index < records.Count && emitted < MaxRecordsPerPoll)
            {
                Emit(records[_index++], output);
                emitted++;
            }

            if (_index < records.Count)
            {
                break;
            }

            foreach (var partition in _batch.FinishedPartitions)
            {
                _splits.Remove(partition, out var finished);
                _finishedOffsets[partition] = Math.Max(finished!.Next, finished.Split.StoppingOffset ?? 0);
                output.ReleaseOutputForSplit(finished.Split.SplitId);
            }

            _batch = null;
        }

        if (emitted > 0 || _batch is not null)
        {
            return InputStatus.MoreAvailable;
        }

        if (_splits.Count == 0)
        {
            if (_noMoreSplits)
            {
                // The last dead letters are durable before the source ends (with checkpointing, every checkpoint flushes too).
                _deadLetters?.Flush();
                return InputStatus.EndOfInput;
            }

            // A subtask without partitions (more subtasks than partitions) must not hold event time back.
            output.MarkIdle();
        }

        return InputStatus.NothingAvailable;
    }

    private void Emit(ConsumeResult<byte[]?, byte[]?> result, IReaderOutput<T> output)
    {
        var progress = _splits[result.TopicPartition];
        var record = KafkaRecord.From(result);
        progress.Next = record.Offset + 1;
        T value;
        try
        {
            value = deserializer.Deserialize(record);
        }
        catch (Exception e) when (IsMalformedInput(e))
        {
            var reason = e is MalformedRecordException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            if (_deadLetters is null)
            {
                throw new KafkaSourceException($"Malformed Kafka record at {record.Topic}[{record.Partition}]@{record.Offset}: {reason}. "
                    + "Set a dead-letter topic (SetDeadLetterTopic) to keep the job running past malformed records.", e);
            }

            _deadLetters.Send(record, reason);
            return;
        }

        var split = progress.Output!;
        if (result.Message.Timestamp.Type == TimestampType.NotAvailable)
        {
            split.Collect(value);
        }
        else
        {
            split.Collect(value, record.TimestampMillis);
        }
    }

    /// <summary>
    /// Bad input (the deserializer's <see cref="MalformedRecordException"/> or a parser's format error) goes to the dead-letter
    /// topic; any other exception is a bug in the deserializer and fails the job instead of hiding in the dead letters.
    /// </summary>
    private static bool IsMalformedInput(Exception e) =>
        e is MalformedRecordException or FormatException or OverflowException or System.Text.Json.JsonException or System.Text.DecoderFallbackException or InvalidDataException;

    public Task IsAvailable()
    {
        if (_fetcher is null || _batch is not null || _fetcher.Error is not null)
        {
            return Task.CompletedTask;
        }

        // The task asks again and again while nothing comes: one wait until it completes, not a new one (and new
        // continuations) per call.
        if (_availability is { IsCompleted: false } pending)
        {
            return pending;
        }

        var data = _fetcher.Batches.WaitToReadAsync();
        _availability = data.IsCompleted ? Task.CompletedTask : Task.WhenAny(data.AsTask(), _signal.Task);
        return _availability;
    }

    /// <summary>The next offset of every partition (its records before that are emitted), and dead letters made durable.</summary>
    public IReadOnlyList<KafkaPartitionSplit> SnapshotState(long checkpointId)
    {
        _deadLetters?.Flush();
        var splits = _splits.Values.Select(p => p.Split with { StartingOffset = p.Next }).ToList();
        if (settings.GroupId is not null)
        {
            _offsetsToCommit[checkpointId] = splits.Select(s => new TopicPartitionOffset(s.Topic, s.Partition, s.StartingOffset))
                .Concat(_finishedOffsets.Select(f => new TopicPartitionOffset(f.Key, f.Value))).ToList();
        }

        return splits;
    }

    /// <summary>Commits the positions of the completed checkpoint to the group, for lag monitoring (Flink's commit on checkpoint).</summary>
    public void NotifyCheckpointComplete(long checkpointId)
    {
        var due = _offsetsToCommit.Keys.TakeWhile(id => id <= checkpointId).ToList();
        if (due.Count == 0)
        {
            return;
        }

        var offsets = _offsetsToCommit[due[^1]];
        _fetcher?.Commit(offsets, due[^1]);
        // A partition that finished after that checkpoint still has its end to commit.
        foreach (var offset in offsets.Where(o => _finishedOffsets.GetValueOrDefault(o.TopicPartition, -1) == o.Offset.Value))
        {
            _finishedOffsets.Remove(offset.TopicPartition);
        }

        foreach (var id in due)
        {
            _offsetsToCommit.Remove(id);
        }
    }

    private void Signal()
    {
        var previous = _signal;
        _signal = new TaskCompletionSource();
        previous.TrySetResult();
    }

    public void Dispose()
    {
        _fetcher?.Dispose();
        _deadLetters?.Dispose();
    }

    private sealed class SplitProgress(KafkaPartitionSplit split)
    {
        public KafkaPartitionSplit Split { get; } = split;

        public long Next { get; set; } = split.StartingOffset;

        public IReaderOutput<T>? Output { get; set; }
    }
}
