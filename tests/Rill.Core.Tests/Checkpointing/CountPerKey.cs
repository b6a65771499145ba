using Rill.Functions;
using Rill.State;

namespace Rill.Tests.Checkpointing;

/// <summary>
/// Emits "key,value,count of the key so far" from keyed state. Across restores and rescales each key's counts must be
/// exactly 1..n in the committed output: a lost state starts again at 1, a doubled record skips or repeats a count.
/// </summary>
internal sealed class CountPerKey : KeyedProcessFunction<int, long, string>
{
    private IValueState<long> _count = null!;

    public override void Open(IRuntimeContext context) => _count = context.GetState(new ValueStateDescriptor<long>("count", 0));

    public override void ProcessElement(long value, Context context, ICollector<string> output)
    {
        var count = _count.Value + 1;
        _count.Update(count);
        output.Collect($"{context.CurrentKey},{value},{count}");
    }
}
