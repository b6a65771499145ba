using System.Buffers.Binary;
using Rill.EventTime;

namespace Rill.Network.Remote;

/// <summary>
/// The data plane's wire format: [int32 payload length][byte frame type][payload], little endian.
/// Request: the partition and subpartition a consumer reads and its initial credit. Buffer: one data buffer
/// ([int32 record count][bytes]), which uses one credit. Event: one in-band event (no credit). Credit: more buffers
/// the consumer can take. Error: the producer side failed (a message).
/// </summary>
internal enum FrameType : byte
{
    Request = 1,
    Buffer = 2,
    Event = 3,
    Credit = 4,
    Error = 5,
}

internal static class Frames
{
    public const int HeaderSize = 5;

    /// <summary>Credits and requests are small; a larger control frame is a protocol error, not something to allocate.</summary>
    public const int MaxControlFrame = 4096;

    public static async Task WriteAsync(Stream stream, FrameType type, ReadOnlyMemory<byte> payload, CancellationToken cancellation)
    {
        // Header and payload in one write: on a no-delay socket two writes are two packets, and credit frames are tiny.
        var frame = System.Buffers.ArrayPool<byte>.Shared.Rent(HeaderSize + payload.Length);
        try
        {
            WriteHeader(frame, type, payload.Length);
            payload.Span.CopyTo(frame.AsSpan(HeaderSize));
            await stream.WriteAsync(frame.AsMemory(0, HeaderSize + payload.Length), cancellation).ConfigureAwait(false);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Writes a frame header at the start of <paramref name="frame"/>, whose payload follows it.</summary>
    public static void WriteHeader(Span<byte> frame, FrameType type, int payloadLength)
    {
        BinaryPrimitives.WriteInt32LittleEndian(frame, payloadLength);
        frame[4] = (byte)type;
    }

    /// <summary>Reads one frame into <paramref name="payload"/> (grown as needed); null at a clean end of stream.</summary>
    public static async Task<(FrameType Type, int Length)?> ReadAsync(Stream stream, byte[] header, Func<int, byte[]> payloadBuffer, CancellationToken cancellation)
    {
        if (!await ReadExactlyOrEndAsync(stream, header.AsMemory(0, HeaderSize), cancellation).ConfigureAwait(false))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        var type = (FrameType)header[4];
        if (length < 0 || !Enum.IsDefined(type))
        {
            throw new InvalidDataException($"Corrupt data-plane frame: type {header[4]}, length {length}.");
        }

        if (length > 0)
        {
            await stream.ReadExactlyAsync(payloadBuffer(length).AsMemory(0, length), cancellation).ConfigureAwait(false);
        }

        return (type, length);
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, Memory<byte> target, CancellationToken cancellation)
    {
        var read = 0;
        while (read < target.Length)
        {
            var n = await stream.ReadAsync(target[read..], cancellation).ConfigureAwait(false);
            if (n == 0)
            {
                return read == 0 ? false : throw new EndOfStreamException("The connection closed in the middle of a frame.");
            }

            read += n;
        }

        return true;
    }

    public static byte[] EncodeEvent(StreamEvent streamEvent)
    {
        if (streamEvent is Checkpointing.CheckpointBarrier barrier)
        {
            var location = System.Text.Encoding.UTF8.GetBytes(barrier.Location);
            var encoded = new byte[18 + location.Length];
            encoded[0] = 5;
            BinaryPrimitives.WriteInt64LittleEndian(encoded.AsSpan(1), barrier.CheckpointId);
            BinaryPrimitives.WriteInt64LittleEndian(encoded.AsSpan(9), barrier.Timestamp);
            encoded[17] = (byte)barrier.Kind;
            location.CopyTo(encoded.AsSpan(18));
            return encoded;
        }

        var bytes = new byte[9];
        switch (streamEvent)
        {
            case WatermarkEvent watermark:
                bytes[0] = 1;
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), watermark.Watermark.Timestamp);
                break;
            case WatermarkStatusEvent status:
                bytes[0] = 2;
                bytes[1] = status.Idle ? (byte)1 : (byte)0;
                break;
            case EndOfPartitionEvent:
                bytes[0] = 3;
                break;
            case EndOfDataEvent:
                bytes[0] = 4;
                break;
            default:
                throw new NotSupportedException($"No wire format for event {streamEvent}.");
        }

        return bytes;
    }

    public static StreamEvent DecodeEvent(ReadOnlySpan<byte> bytes) => bytes[0] switch
    {
        1 => new WatermarkEvent(new Watermark(BinaryPrimitives.ReadInt64LittleEndian(bytes[1..]))),
        2 => new WatermarkStatusEvent(bytes[1] == 1),
        3 => EndOfPartitionEvent.Instance,
        4 => EndOfDataEvent.Instance,
        5 => new Checkpointing.CheckpointBarrier(BinaryPrimitives.ReadInt64LittleEndian(bytes[1..]), BinaryPrimitives.ReadInt64LittleEndian(bytes[9..]),
            (Checkpointing.CheckpointKind)bytes[17], System.Text.Encoding.UTF8.GetString(bytes[18..])),
        _ => throw new InvalidDataException($"Unknown event code {bytes[0]} on the data plane."),
    };
}

/// <summary>What a remote consumer asks for when it connects.</summary>
internal readonly record struct PartitionRequest(ResultPartitionId Partition, int NumberOfSubpartitions, int SubpartitionIndex, int InitialCredit)
{
    public byte[] Encode()
    {
        var dataSet = System.Text.Encoding.UTF8.GetBytes(Partition.DataSetId);
        var bytes = new byte[16 + 4 + dataSet.Length + (4 * 5)];
        var span = bytes.AsSpan();
        Partition.JobId.TryWriteBytes(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], dataSet.Length);
        dataSet.CopyTo(span[20..]);
        var rest = span[(20 + dataSet.Length)..];
        BinaryPrimitives.WriteInt32LittleEndian(rest, Partition.ProducerSubtask);
        BinaryPrimitives.WriteInt32LittleEndian(rest[4..], Partition.Attempt);
        BinaryPrimitives.WriteInt32LittleEndian(rest[8..], NumberOfSubpartitions);
        BinaryPrimitives.WriteInt32LittleEndian(rest[12..], SubpartitionIndex);
        BinaryPrimitives.WriteInt32LittleEndian(rest[16..], InitialCredit);
        return bytes;
    }

    public static PartitionRequest Decode(ReadOnlySpan<byte> bytes)
    {
        var jobId = new Guid(bytes[..16]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        var dataSet = System.Text.Encoding.UTF8.GetString(bytes.Slice(20, length));
        var rest = bytes[(20 + length)..];
        return new PartitionRequest(
            new ResultPartitionId(jobId, dataSet, BinaryPrimitives.ReadInt32LittleEndian(rest), BinaryPrimitives.ReadInt32LittleEndian(rest[4..])),
            BinaryPrimitives.ReadInt32LittleEndian(rest[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(rest[12..]),
            BinaryPrimitives.ReadInt32LittleEndian(rest[16..]));
    }
}
