using Rill.Api;
using Rill.EventTime;

namespace Rill.Operators;

/// <summary>Where an operator emits; within a chain this calls the next operator directly.</summary>
public interface IOutput<in T>
{
    /// <summary>Emits a record; <paramref name="timestamp"/> is <see cref="StreamRecords.NoTimestamp"/> when the record has none.</summary>
    void Collect(T value, long timestamp);

    void CollectSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp);

    void EmitWatermark(Watermark watermark);

    void EmitWatermarkStatus(bool idle);
}

/// <summary>The receiving side of an operator with one input.</summary>
public interface IInput<in T>
{
    void ProcessElement(T value, long timestamp);

    void ProcessWatermark(Watermark watermark);

    void ProcessWatermarkStatus(bool idle);
}

public static class StreamRecords
{
    /// <summary>Marks a record without an event timestamp.</summary>
    public const long NoTimestamp = long.MinValue;

    public static long? ToNullable(long timestamp) => timestamp == NoTimestamp ? null : timestamp;
}
