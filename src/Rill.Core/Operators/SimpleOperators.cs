using Rill.Api;
using Rill.Functions;

namespace Rill.Operators;

internal sealed class MapOperator<TIn, TOut>(Func<TIn, TOut> map, object function, KeyContext<TIn>? keyContext = null) : OneInputStreamOperator<TIn, TOut>
{
    public override void InitializeState(Checkpointing.StateInitializationContext context) => keyContext?.InitializeState(Context, context);

    public override void SnapshotState(Checkpointing.StateSnapshotContext context) => keyContext?.Snapshot(context);

    public override void Open() => OpenFunction(function, new StreamingRuntimeContext(Context, keyContext?.Open(Context)));

    public override void ProcessElement(TIn value, long timestamp)
    {
        keyContext?.SetKey(value);
        Output.Collect(map(value), timestamp);
    }

    public override void Close()
    {
        try
        {
            CloseFunction(function);
        }
        finally
        {
            keyContext?.Dispose();
        }
    }
}

internal sealed class FilterOperator<T>(Func<T, bool> predicate, object function, KeyContext<T>? keyContext = null) : OneInputStreamOperator<T, T>
{
    public override void InitializeState(Checkpointing.StateInitializationContext context) => keyContext?.InitializeState(Context, context);

    public override void SnapshotState(Checkpointing.StateSnapshotContext context) => keyContext?.Snapshot(context);

    public override void Open() => OpenFunction(function, new StreamingRuntimeContext(Context, keyContext?.Open(Context)));

    public override void ProcessElement(T value, long timestamp)
    {
        keyContext?.SetKey(value);
        if (predicate(value))
        {
            Output.Collect(value, timestamp);
        }
    }

    public override void Close()
    {
        try
        {
            CloseFunction(function);
        }
        finally
        {
            keyContext?.Dispose();
        }
    }
}

internal sealed class FlatMapOperator<TIn, TOut>(Action<TIn, ICollector<TOut>> flatMap, object function, KeyContext<TIn>? keyContext = null)
    : OneInputStreamOperator<TIn, TOut>
{
    private readonly TimestampedCollector<TOut> _collector = new();

    public override void InitializeState(Checkpointing.StateInitializationContext context) => keyContext?.InitializeState(Context, context);

    public override void SnapshotState(Checkpointing.StateSnapshotContext context) => keyContext?.Snapshot(context);

    public override void Open()
    {
        _collector.Output = Output;
        OpenFunction(function, new StreamingRuntimeContext(Context, keyContext?.Open(Context)));
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        keyContext?.SetKey(value);
        _collector.Timestamp = timestamp;
        flatMap(value, _collector);
    }

    public override void Close()
    {
        try
        {
            CloseFunction(function);
        }
        finally
        {
            keyContext?.Dispose();
        }
    }
}

/// <summary>Emits with the timestamp of the record being processed, so functions that only Collect keep event time.</summary>
internal sealed class TimestampedCollector<T> : ICollector<T>
{
    public IOutput<T> Output { get; set; } = null!;

    public long Timestamp { get; set; } = StreamRecords.NoTimestamp;

    public void Collect(T record) => Output.Collect(record, Timestamp);
}

internal sealed class ProcessOperator<TIn, TOut>(ProcessFunction<TIn, TOut> function, KeyContext<TIn>? keyContext = null) : OneInputStreamOperator<TIn, TOut>
{
    private readonly TimestampedCollector<TOut> _collector = new();
    private ContextImpl _context = null!;

    public override void InitializeState(Checkpointing.StateInitializationContext context) => keyContext?.InitializeState(Context, context);

    public override void SnapshotState(Checkpointing.StateSnapshotContext context) => keyContext?.Snapshot(context);

    public override void Open()
    {
        _collector.Output = Output;
        _context = new ContextImpl(this);
        function.Open(new StreamingRuntimeContext(Context, keyContext?.Open(Context)));
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        keyContext?.SetKey(value);
        _collector.Timestamp = timestamp;
        _context.Current = StreamRecords.ToNullable(timestamp);
        function.ProcessElement(value, _context, _collector);
    }

    public override void Close()
    {
        try
        {
            function.Close();
        }
        finally
        {
            keyContext?.Dispose();
        }
    }

    private sealed class ContextImpl(ProcessOperator<TIn, TOut> owner) : ProcessFunction<TIn, TOut>.Context
    {
        public long? Current { get; set; }

        public override long? Timestamp => Current;

        public override long CurrentWatermark => owner.CurrentWatermark;

        public override long CurrentProcessingTime => owner.Context.ProcessingTime.CurrentTime;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) =>
            owner.Output.CollectSide(tag, value, owner._collector.Timestamp);
    }
}

/// <summary>Writes into a sink; a two-phase-committing sink in a checkpointed job pre-commits with each checkpoint and commits when it completes.</summary>
internal sealed class SinkOperator<T>(Sinks.ISink<T> sink) : OneInputStreamOperator<T, T>
{
    private Sinks.ISinkWriter<T> _writer = null!;
    private Sinks.ICommittingSinkRuntime<T>? _committing;

    public override void InitializeState(Checkpointing.StateInitializationContext context)
    {
        if (Context.Options.Checkpointing.IsEnabled)
        {
            _committing = Sinks.ICommittingSinkRuntime<T>.TryCreate(sink);
            _committing?.Restore(context);
        }
    }

    public override void Open()
    {
        OpenFunction(sink, new StreamingRuntimeContext(Context, null));
        var context = new Sinks.SinkWriterContext(Context.Task.SubtaskIndex, Context.Task.Parallelism, Context.Task.AttemptNumber, Context.OperatorName, Context.Task.JobId);
        _writer = _committing?.CreateWriter(context) ?? sink.CreateWriter(context);
    }

    /// <summary>
    /// A committing sink pre-commits; any other sink flushes, so everything before the barrier is durable once the
    /// checkpoint completes (at-least-once, as Flink's SinkWriter.flush before the snapshot).
    /// </summary>
    public override void SnapshotState(Checkpointing.StateSnapshotContext context)
    {
        if (_committing is null)
        {
            _writer.Flush(endOfInput: false);
        }
        else
        {
            _committing.Snapshot(context);
        }
    }

    public override void NotifyCheckpointComplete(long checkpointId) => _committing?.CommitUpTo(checkpointId);

    public override void ProcessElement(T value, long timestamp) => _writer.Write(value, StreamRecords.ToNullable(timestamp));

    public override void Finish() => _writer.Flush(endOfInput: true);

    /// <summary>
    /// Closes the writer, the committer (a committing sink's) and the sink function, each also when another failed:
    /// one failure is rethrown as it is, several together.
    /// </summary>
    public override void Close()
    {
        var failures = new List<Exception>();
        foreach (var close in (Action[])[() => _writer?.Dispose(), () => _committing?.Dispose(), () => CloseFunction(sink)])
        {
            try
            {
                close();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }

        if (failures.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0]);
        }

        if (failures.Count > 1)
        {
            throw new AggregateException($"Sink '{Name}' failed to close.", failures);
        }
    }
}
