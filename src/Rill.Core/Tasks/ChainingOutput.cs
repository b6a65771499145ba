using Rill.Api;
using Rill.EventTime;
using Rill.Operators;

namespace Rill.Tasks;

/// <summary>
/// Connects two chained operators with a direct call: no buffer, no serialization, no thread hop. It also
/// stamps a user failure with the name of the operator that threw.
/// </summary>
internal sealed class ChainingOutput<T>(IInput<T> next, string nextOperatorName) : IOutput<T>
{
    public void Collect(T value, long timestamp)
    {
        try
        {
            next.ProcessElement(value, timestamp);
        }
        catch (Exception e) when (e is not OperatorException and not OperationCanceledException)
        {
            throw new OperatorException(nextOperatorName, e);
        }
    }

    public void CollectSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp)
    {
        // A plain chained edge carries only the main output; side outputs are routed by BroadcastingOutput.
    }

    public void EmitWatermark(Watermark watermark)
    {
        // Watermarks fire event-time timers: window functions and OnTimer run here, and a failure must name them.
        try
        {
            next.ProcessWatermark(watermark);
        }
        catch (Exception e) when (e is not OperatorException and not OperationCanceledException)
        {
            throw new OperatorException(nextOperatorName, e);
        }
    }

    public void EmitWatermarkStatus(bool idle) => next.ProcessWatermarkStatus(idle);
}

/// <summary>Thrown when an operator's user code fails; carries the operator's name, wraps the user's exception.</summary>
public sealed class OperatorException(string operatorName, Exception inner)
    : Exception($"Operator '{operatorName}' failed: {inner.Message}", inner)
{
    public string OperatorName { get; } = operatorName;
}
