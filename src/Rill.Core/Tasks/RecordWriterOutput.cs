using Rill.Api;
using Rill.EventTime;
using Rill.Network;
using Rill.Operators;

namespace Rill.Tasks;

/// <summary>The end of a chain that feeds a network edge: serializes records into the edge's result partition.</summary>
internal sealed class RecordWriterOutput<T>(RecordWriter<T> writer, Metrics.TaskIOMetrics metrics) : IOutput<T>, INetworkOutput
{
    public void Collect(T value, long timestamp)
    {
        metrics.RecordsOut++;
        writer.Emit(value, timestamp);
    }

    public void CollectSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp)
    {
        // Side outputs reach a network edge through a SideOutputRouter, which calls Collect.
    }

    public void EmitWatermark(Watermark watermark)
    {
        Volatile.Write(ref metrics.CurrentOutputWatermark, watermark.Timestamp);
        writer.BroadcastEvent(new WatermarkEvent(watermark));
    }

    public void EmitWatermarkStatus(bool idle) => writer.BroadcastEvent(new WatermarkStatusEvent(idle));

    public void Flush() => writer.FlushAll();

    public void EndOfPartition() => writer.BroadcastEvent(EndOfPartitionEvent.Instance);

    public void BroadcastEvent(StreamEvent streamEvent) => writer.BroadcastEvent(streamEvent);

    public void ReleaseUnsent() => writer.ReleaseUnsent();
}

internal interface INetworkOutput
{
    void Flush();

    void EndOfPartition();

    /// <summary>Sends a control event (a barrier, end of data) on every channel, after the records before it.</summary>
    void BroadcastEvent(StreamEvent streamEvent);

    void ReleaseUnsent();
}
