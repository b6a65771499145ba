namespace Rill.Network;

/// <summary>Sizes of the data exchange. Defaults follow Flink: 32 KiB segments, 2 buffers per channel plus 8 floating.</summary>
public sealed record NetworkConfig
{
    public static readonly NetworkConfig Default = new();

    public int SegmentSize { get; init; } = 32 * 1024;

    public int BuffersPerChannel { get; init; } = 2;

    public int FloatingBuffersPerPartition { get; init; } = 8;

    /// <summary>
    /// Credits (receive buffers) per channel from another TaskManager. More than the in-memory channels' 2: a network
    /// round trip per credit would otherwise stall the sender (Flink adds floating buffers per gate for the same reason).
    /// </summary>
    public int RemoteBuffersPerChannel { get; init; } = 4;

    /// <summary>How long a partly filled buffer may wait before it is sent anyway (Flink's buffer timeout).</summary>
    public TimeSpan BufferTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    public int PoolSizeFor(int numberOfSubpartitions) => (numberOfSubpartitions * BuffersPerChannel) + FloatingBuffersPerPartition;
}
