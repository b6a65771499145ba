namespace Rill.EventTime;

/// <summary>Where a generator emits watermarks and idleness.</summary>
public interface IWatermarkOutput
{
    void EmitWatermark(Watermark watermark);

    /// <summary>Marks the output idle: downstream ignores it when combining watermarks until it emits again.</summary>
    void MarkIdle();

    void MarkActive();
}

/// <summary>Flink's WatermarkGenerator: sees every event and is asked periodically for a watermark.</summary>
public interface IWatermarkGenerator<in T>
{
    void OnEvent(T value, long eventTimestamp, IWatermarkOutput output);

    void OnPeriodicEmit(IWatermarkOutput output);
}

/// <summary>Extracts a record's event timestamp in milliseconds since the epoch.</summary>
public delegate long TimestampAssigner<in T>(T value, long recordTimestamp);
