using Rill.Api;
using Rill.EventTime;
using Rill.Operators;

namespace Rill.Tasks;

/// <summary>Fans one operator's output out to several consumers (chained operators, network edges, side outputs).</summary>
internal sealed class BroadcastingOutput<T>(IOutput<T>[] outputs) : IOutput<T>
{
    public void Collect(T value, long timestamp)
    {
        foreach (var output in outputs)
        {
            output.Collect(value, timestamp);
        }
    }

    public void CollectSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp)
    {
        foreach (var output in outputs)
        {
            output.CollectSide(tag, value, timestamp);
        }
    }

    public void EmitWatermark(Watermark watermark)
    {
        foreach (var output in outputs)
        {
            output.EmitWatermark(watermark);
        }
    }

    public void EmitWatermarkStatus(bool idle)
    {
        foreach (var output in outputs)
        {
            output.EmitWatermarkStatus(idle);
        }
    }
}

/// <summary>An operator whose output nobody consumes (a sink's "output").</summary>
internal sealed class DiscardingOutput<T> : IOutput<T>
{
    public static readonly DiscardingOutput<T> Instance = new();

    public void Collect(T value, long timestamp)
    {
    }

    public void CollectSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp)
    {
    }

    public void EmitWatermark(Watermark watermark)
    {
    }

    public void EmitWatermarkStatus(bool idle)
    {
    }
}

/// <summary>Feeds the records an operator emits to one side output into that edge's output, ignoring the rest.</summary>
internal sealed class SideOutputRouter<TMain, TSide>(OutputTag<TSide> tag, IOutput<TSide> target) : IOutput<TMain>
{
    public void Collect(TMain value, long timestamp)
    {
    }

    public void CollectSide<TOther>(OutputTag<TOther> otherTag, TOther value, long timestamp)
    {
        if (otherTag.Id == tag.Id && value is TSide typed)
        {
            target.Collect(typed, timestamp);
        }
    }

    public void EmitWatermark(Watermark watermark) => target.EmitWatermark(watermark);

    public void EmitWatermarkStatus(bool idle) => target.EmitWatermarkStatus(idle);
}
