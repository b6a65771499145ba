using Rill.Checkpointing;
using Rill.EventTime;
using Rill.Functions;

namespace Rill.Operators;

/// <summary>
/// The life cycle every operator shares. The task opens the chain from tail to head, feeds records, calls
/// <see cref="Finish"/> from head to tail when input ends (so each operator can flush into a still-open
/// successor), then closes.
/// </summary>
public abstract class StreamOperator
{
    private OperatorContext? _context;

    public OperatorContext Context => _context ?? throw new InvalidOperationException("Operator used before setup.");

    public string Name => Context.OperatorName;

    internal virtual void Setup(OperatorContext context, object output) => _context = context;

    /// <summary>Runs before <see cref="Open"/>: takes in this subtask's share of a restored checkpoint, if any (Flink's initializeState).</summary>
    public virtual void InitializeState(StateInitializationContext context)
    {
    }

    public virtual void Open()
    {
    }

    /// <summary>The synchronous part of a checkpoint, on the task thread between records: put the state into the context.</summary>
    public virtual void SnapshotState(StateSnapshotContext context)
    {
    }

    /// <summary>Every task acknowledged the checkpoint: what it covers is durable (two-phase-commit sinks commit now).</summary>
    public virtual void NotifyCheckpointComplete(long checkpointId)
    {
    }

    public virtual void NotifyCheckpointAborted(long checkpointId)
    {
    }

    /// <summary>End of input (bounded streams): emit whatever is still held.</summary>
    public virtual void Finish()
    {
    }

    public virtual void Close()
    {
    }

    protected static void OpenFunction(object function, IRuntimeContext context)
    {
        if (function is IRichFunction rich)
        {
            rich.Open(context);
        }
    }

    protected static void CloseFunction(object function)
    {
        if (function is IRichFunction rich)
        {
            rich.Close();
        }
    }
}

public abstract class StreamOperator<TOut> : StreamOperator
{
    protected IOutput<TOut> Output { get; private set; } = null!;

    internal override void Setup(OperatorContext context, object output)
    {
        base.Setup(context, output);
        Output = (IOutput<TOut>)output;
    }
}

/// <summary>An operator with one input; watermarks pass through unless the operator holds timers.</summary>
public abstract class OneInputStreamOperator<TIn, TOut> : StreamOperator<TOut>, IInput<TIn>
{
    protected long CurrentWatermark { get; private set; } = long.MinValue;

    public abstract void ProcessElement(TIn value, long timestamp);

    public virtual void ProcessWatermark(Watermark watermark)
    {
        CurrentWatermark = watermark.Timestamp;
        OnWatermark(watermark);
        Output.EmitWatermark(watermark);
    }

    /// <summary>Runs before the watermark moves on: where event-time timers fire.</summary>
    protected virtual void OnWatermark(Watermark watermark)
    {
    }

    public virtual void ProcessWatermarkStatus(bool idle) => Output.EmitWatermarkStatus(idle);
}
