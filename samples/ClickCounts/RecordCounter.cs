using Rill.Accumulators;
using Rill.Functions;

namespace Rill.Samples.ClickCounts;

/// <summary>
/// Counts the records that reach it into a job-wide accumulator and passes none on. The count arrives with the
/// job's result, summed over all parallel subtasks, so no shared variable is needed.
/// </summary>
internal sealed class RecordCounter<T>(string counterName) : ProcessFunction<T, T>
{
    private LongCounter _counter = null!;

    public override void Open(IRuntimeContext context)
    {
        base.Open(context);
        _counter = context.GetLongCounter(counterName);
    }

    public override void ProcessElement(T value, Context context, ICollector<T> output) => _counter.Increment();
}
