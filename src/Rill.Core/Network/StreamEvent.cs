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
