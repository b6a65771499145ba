namespace Rill.Network;

/// <summary>
/// The unit of data exchange between subtasks: a segment holding many serialized records, or one event.
/// Buffers come from a bounded pool and go back to it once the consumer has read them; that bound is what
/// turns a slow consumer into backpressure on its producers.
/// </summary>
public sealed class NetworkBuffer
{
    private readonly BufferPool? _owner;

    internal NetworkBuffer(byte[] memory, BufferPool? owner)
    {
        Memory = memory;
        _owner = owner;
    }

    internal static NetworkBuffer ForEvent(StreamEvent streamEvent) => new([], null) { Event = streamEvent };

    public byte[] Memory { get; }

    /// <summary>Bytes written so far.</summary>
    public int Size { get; internal set; }

    public int RecordCount { get; internal set; }

    /// <summary>Set for event buffers (watermarks, end of partition, later barriers); null for data.</summary>
    public StreamEvent? Event { get; private init; }

    public bool IsEvent => Event is not null;

    public int Capacity => Memory.Length;

    /// <summary>Returns the buffer to its pool; the only way a producer waiting for memory gets it back.</summary>
    public void Recycle()
    {
        Size = 0;
        RecordCount = 0;
        _owner?.Return(this);
    }
}
