using Rill.Api;

namespace Rill.Functions;

/// <summary>A low-level function on a non-keyed stream with access to timestamps and side outputs.</summary>
public abstract class ProcessFunction<TIn, TOut> : IRichFunction
{
    public abstract class Context
    {
        /// <summary>The record's event timestamp, or null when it has none.</summary>
        public abstract long? Timestamp { get; }

        public abstract long CurrentWatermark { get; }

        public abstract long CurrentProcessingTime { get; }

        public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
    }

    public IRuntimeContext RuntimeContext { get; private set; } = null!;

    public virtual void Open(IRuntimeContext context) => RuntimeContext = context;

    public virtual void Close()
    {
    }

    public abstract void ProcessElement(TIn value, Context context, ICollector<TOut> output);
}
