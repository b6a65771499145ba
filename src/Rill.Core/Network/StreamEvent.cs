using Rill.EventTime;

namespace Rill.Network;

/// <summary>Control messages that travel in-band with records, so their order relative to records is kept.</summary>
public abstract record StreamEvent;

public sealed record WatermarkEvent(Watermark Watermark) : StreamEvent;

public sealed record WatermarkStatusEvent(bool Idle) : StreamEvent;

/// <summary>The producer subtask finished: no further buffers follow on this channel.</summary>
public sealed record EndOfPartitionEvent : StreamEvent
{
    public static readonly EndOfPartitionEvent Instance = new();
}

/// <summary>
/// The producer subtask has emitted all its records (its input ended) but keeps the channel open for the final
/// checkpoint's barrier (Flink's EndOfData, FLIP-147); <see cref="EndOfPartitionEvent"/> follows once that checkpoint
/// is complete.
/// </summary>
public sealed record EndOfDataEvent : StreamEvent
{
    public static readonly EndOfDataEvent Instance = new();
}
