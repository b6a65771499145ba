using Rill.Api;
using Rill.Windowing;

namespace Rill.Functions;

/// <summary>Called once per window firing with the window's contents (or its pre-aggregated result) and metadata.</summary>
public abstract class ProcessWindowFunction<TIn, TOut, TKey, TWindow> : IRichFunction
    where TWindow : IWindow
{
    public abstract class Context
    {
        public abstract TWindow Window { get; }

        public abstract long CurrentWatermark { get; }

        public abstract long CurrentProcessingTime { get; }

        public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
    }

    public IRuntimeContext RuntimeContext { get; private set; } = null!;

    public virtual void Open(IRuntimeContext context) => RuntimeContext = context;

    public virtual void Close()
    {
    }

    public abstract void Process(TKey key, Context context, IEnumerable<TIn> elements, ICollector<TOut> output);
}
