using Rill.Api;
using Rill.Checkpointing;
using Rill.EventTime;
using Rill.Operators;
using Rill.Tasks;

namespace Rill.Sources;

/// <summary>
/// Runs a source reader inside a source subtask: asks the coordinator for splits, stamps records with event
/// time, runs the watermark generator periodically and ends with the final watermark on bounded input.
/// </summary>
internal sealed class SourceOperator<T, TSplit> : StreamOperator<T>, ISourceOperator, ISourceReaderContext, IReaderOutput<T>, IWatermarkOutput
    where TSplit : ISourceSplit
{
    private readonly ISource<T, TSplit> _source;
    private readonly WatermarkStrategy<T> _watermarks;
    private ISourceReader<T, TSplit> _reader = null!;
    private IWatermarkGenerator<T> _generator = null!;
    private TimestampAssigner<T>? _assigner;
    private bool _emitWatermarks;
    private long _watermarkIntervalMs;
    private long _nextPeriodicEmit;
    private long _lastEmittedWatermark = long.MinValue;
    private bool _idle;
    private IReadOnlyList<TSplit> _restoredSplits = [];
    private readonly Dictionary<string, SplitOutput> _splitOutputs = [];
    private const string SplitsStateName = "splits";

    public SourceOperator(ISource<T, TSplit> source, WatermarkStrategy<T> watermarks)
    {
        _source = source;
        _watermarks = watermarks;
    }

    public int IndexOfSubtask => Context.Task.SubtaskIndex;

    public int NumberOfParallelSubtasks => Context.Task.Parallelism;

    IProcessingTimeService ISourceReaderContext.ProcessingTime => Context.ProcessingTime;

    Metrics.SourceReaderMetricGroup ISourceReaderContext.MetricGroup => new(Context.Metrics);

    public void SendSplitRequest() => Context.SendToCoordinator(new RequestSplitEvent());

    /// <summary>The splits this subtask had (or, after a rescale, its share of all subtasks' splits) resume where they stopped.</summary>
    public override void InitializeState(StateInitializationContext context) => _restoredSplits = context.ReadListState<TSplit>(SplitsStateName);

    public override void SnapshotState(StateSnapshotContext context) =>
        context.AddListState(SplitsStateName, OperatorStateDistribution.Split, _reader.SnapshotState(context.CheckpointId));

    public override void NotifyCheckpointComplete(long checkpointId) => _reader.NotifyCheckpointComplete(checkpointId);

    public override void Open()
    {
        _assigner = _watermarks.TimestampAssigner;
        _generator = _watermarks.CreateGenerator(() => Context.ProcessingTime.CurrentTime);
        // BATCH has no event-time progress while running: only the final watermark at the end (Flink semantics).
        _emitWatermarks = !Context.IsBatch && !_watermarks.IsNoWatermarks;
        _watermarkIntervalMs = Math.Max(1, (long)Context.Options.AutoWatermarkInterval.TotalMilliseconds);
        _nextPeriodicEmit = Environment.TickCount64 + _watermarkIntervalMs;
        _reader = _source.CreateReader(this);
        // Registration goes first, so the enumerator knows the reader before its first split request and may push
        // splits to it (as Kafka's enumerator does).
        Context.SendToCoordinator(new ReaderRegistrationEvent());
        if (_restoredSplits.Count > 0)
        {
            _reader.AddSplits(_restoredSplits);
        }

        _reader.Start();
    }

    public InputStatus EmitNext()
    {
        var status = _reader.PollNext(this);
        if (_emitWatermarks)
        {
            var now = Environment.TickCount64;
            if (now >= _nextPeriodicEmit)
            {
                _nextPeriodicEmit = now + _watermarkIntervalMs;
                if (_splitOutputs.Count == 0)
                {
                    _generator.OnPeriodicEmit(this);
                }
                else
                {
                    foreach (var split in _splitOutputs.Values)
                    {
                        split.Generator.OnPeriodicEmit(split);
                    }

                    CombineSplitWatermarks();
                }
            }
        }

        if (status == InputStatus.EndOfInput)
        {
            EmitWatermark(Watermark.MaxWatermark);
        }

        return status;
    }

    public Task IsAvailable() => _reader.IsAvailable();

    public void HandleOperatorEvent(OperatorEvent operatorEvent)
    {
        switch (operatorEvent)
        {
            case AddSplitsEvent add:
                _reader.AddSplits(add.Splits.Cast<TSplit>().ToList());
                break;
            case NoMoreSplitsEvent:
                _reader.NotifyNoMoreSplits();
                break;
            default:
                throw new InvalidOperationException($"Source operator got unexpected event {operatorEvent}.");
        }
    }

    public void Collect(T record) => Collect(record, StreamRecords.NoTimestamp);

    public void Collect(T record, long timestamp)
    {
        if (_assigner is not null)
        {
            timestamp = _assigner(record, timestamp);
        }

        // The record goes out before the generator sees it (as in Flink), so a watermark the generator emits
        // for this very record cannot make the record itself late.
        Output.Collect(record, timestamp);
        if (_emitWatermarks)
        {
            _generator.OnEvent(record, timestamp, this);
        }
    }

    public IReaderOutput<T> CreateOutputForSplit(string splitId)
    {
        if (!_splitOutputs.TryGetValue(splitId, out var output))
        {
            output = new SplitOutput(this, _watermarks.CreateGenerator(() => Context.ProcessingTime.CurrentTime));
            _splitOutputs[splitId] = output;
            // A new split is active and holds the watermark back: an idle subtask must stop being ignored downstream.
            MarkActive();
        }

        return output;
    }

    public void ReleaseOutputForSplit(string splitId) => _splitOutputs.Remove(splitId);

    /// <summary>
    /// Flink's WatermarkOutputMultiplexer: the subtask emits the minimum watermark over the splits that are not idle; when
    /// all are idle, the subtask is idle. Runs after each periodic emit and whenever a split's generator emits on an event.
    /// </summary>
    private void CombineSplitWatermarks()
    {
        var combined = long.MaxValue;
        var anyActive = false;
        foreach (var split in _splitOutputs.Values)
        {
            if (!split.Idle)
            {
                anyActive = true;
                combined = Math.Min(combined, split.Watermark);
            }
        }

        if (!anyActive)
        {
            MarkIdle();
            return;
        }

        // Active even while the combined watermark has not risen (as Flink's multiplexer): otherwise downstream would go on
        // ignoring this subtask and its records would be late.
        MarkActive();
        if (combined > long.MinValue)
        {
            EmitWatermark(new Watermark(combined));
        }
    }

    public void EmitWatermark(Watermark watermark)
    {
        if (watermark.Timestamp <= _lastEmittedWatermark)
        {
            return;
        }

        _lastEmittedWatermark = watermark.Timestamp;
        if (_idle)
        {
            _idle = false;
            Output.EmitWatermarkStatus(false);
        }

        Output.EmitWatermark(watermark);
    }

    public void MarkIdle()
    {
        if (!_idle)
        {
            _idle = true;
            Output.EmitWatermarkStatus(true);
        }
    }

    public void MarkActive()
    {
        if (_idle)
        {
            _idle = false;
            Output.EmitWatermarkStatus(false);
        }
    }

    public override void Close() => _reader?.Dispose();

    /// <summary>One split's records and watermark; the watermark only counts once the subtask combines all splits.</summary>
    private sealed class SplitOutput(SourceOperator<T, TSplit> owner, IWatermarkGenerator<T> generator) : IReaderOutput<T>, IWatermarkOutput
    {
        public IWatermarkGenerator<T> Generator { get; } = generator;

        public long Watermark { get; private set; } = long.MinValue;

        public bool Idle { get; private set; }

        public void Collect(T record) => Collect(record, StreamRecords.NoTimestamp);

        public void Collect(T record, long timestamp)
        {
            if (owner._assigner is not null)
            {
                timestamp = owner._assigner(record, timestamp);
            }

            owner.Output.Collect(record, timestamp);
            if (owner._emitWatermarks)
            {
                Generator.OnEvent(record, timestamp, this);
                if (_changedOnEvent)
                {
                    _changedOnEvent = false;
                    owner.CombineSplitWatermarks();
                }
            }
        }

        public IReaderOutput<T> CreateOutputForSplit(string splitId) => owner.CreateOutputForSplit(splitId);

        public void ReleaseOutputForSplit(string splitId) => owner.ReleaseOutputForSplit(splitId);

        private bool _changedOnEvent;

        public void EmitWatermark(Watermark watermark)
        {
            if (watermark.Timestamp > Watermark || Idle)
            {
                _changedOnEvent = true;
            }

            Idle = false;
            Watermark = Math.Max(Watermark, watermark.Timestamp);
        }

        public void MarkIdle() => Idle = true;

        public void MarkActive()
        {
            _changedOnEvent |= Idle;
            Idle = false;
        }
    }
}

/// <summary>What a source task needs from its head operator, without knowing the record type.</summary>
internal interface ISourceOperator
{
    InputStatus EmitNext();

    Task IsAvailable();

    void HandleOperatorEvent(OperatorEvent operatorEvent);
}
