using System.Buffers.Binary;
using Rill.Metrics;
using Rill.Serialization;

namespace Rill.Network;

/// <summary>
/// Serializes records of one output into the buffers of one result partition. Each record is laid out as
/// [int32 payload length][int64 timestamp][payload]; a record is never split across buffers, and one larger than
/// a segment travels in a buffer of its own size.
/// </summary>
public sealed class RecordWriter<T>
{
    internal const int HeaderSize = 12;

    private readonly ResultPartition _partition;
    private readonly TypeSerializer<T> _serializer;
    private readonly StreamPartitioner<T> _partitioner;
    private readonly DataOutputSerializer _scratch = new();
    private readonly DataOutputSerializer _direct = new(16);
    private readonly int _directRecordSize;
    private readonly NetworkBuffer?[] _current;
    private readonly TaskIOMetrics _metrics;
    private readonly CancellationToken _cancellation;

    public RecordWriter(ResultPartition partition, TypeSerializer<T> serializer, StreamPartitioner<T> partitioner, int subtaskIndex, TaskIOMetrics metrics, CancellationToken cancellation)
    {
        _partition = partition;
        _serializer = serializer;
        _partitioner = partitioner;
        _partitioner.Setup(partition.Subpartitions.Length, subtaskIndex);
        _current = new NetworkBuffer?[partition.Subpartitions.Length];
        var fixedLength = serializer.FixedLength;
        _directRecordSize = fixedLength >= 0 && !partitioner.IsBroadcast && HeaderSize + fixedLength <= partition.BufferPool.SegmentSize
            ? HeaderSize + fixedLength
            : 0;
        _metrics = metrics;
        _cancellation = cancellation;
    }

    public void Emit(T record, long timestamp)
    {
        if (_directRecordSize > 0)
        {
            EmitDirect(record, timestamp);
            return;
        }

        Serialize(record, timestamp);
        if (_partitioner.IsBroadcast)
        {
            for (var channel = 0; channel < _current.Length; channel++)
            {
                CopyToChannel(channel);
            }
        }
        else
        {
            CopyToChannel(_partitioner.SelectChannel(record));
        }
    }

    /// <summary>Fixed-length records are written straight into the channel's buffer: no scratch copy.</summary>
    private void EmitDirect(T record, long timestamp)
    {
        var channel = _partitioner.SelectChannel(record);
        var buffer = _current[channel];
        if (buffer is not null && buffer.Size + _directRecordSize > buffer.Capacity)
        {
            Flush(channel);
            buffer = null;
        }

        buffer ??= _current[channel] = _partition.BufferPool.Request(_cancellation);
        var start = buffer.Size;
        _direct.Wrap(buffer.Memory, start);
        _direct.WriteInt32(_directRecordSize - HeaderSize);
        _direct.WriteInt64(timestamp);
        _serializer.Serialize(record, _direct);
        if (_direct.Length - start != _directRecordSize)
        {
            throw new InvalidOperationException($"{_serializer} declares {_serializer.FixedLength} bytes per record but wrote {_direct.Length - start - HeaderSize}.");
        }

        buffer.Size = _direct.Length;
        buffer.RecordCount++;
    }

    private void Serialize(T record, long timestamp)
    {
        _scratch.Clear();
        _scratch.WriteInt32(0);
        _scratch.WriteInt64(timestamp);
        _serializer.Serialize(record, _scratch);
    }

    private void CopyToChannel(int channel)
    {
        var bytes = _scratch.WrittenSpan;
        if (bytes.Length > _partition.BufferPool.SegmentSize)
        {
            // Too large for a segment: it travels alone in a buffer of its own, after what was written before it.
            Flush(channel);
            var oversized = new NetworkBuffer(new byte[bytes.Length], owner: null);
            Append(oversized, bytes);
            _metrics.BuffersOut++;
            _metrics.BytesOut += oversized.Size;
            _partition.Subpartitions[channel].Add(oversized);
            return;
        }

        var buffer = _current[channel];
        if (buffer is not null && buffer.Size + bytes.Length > buffer.Capacity)
        {
            Flush(channel);
            buffer = null;
        }

        buffer ??= _current[channel] = _partition.BufferPool.Request(_cancellation);
        Append(buffer, bytes);
    }

    private static void Append(NetworkBuffer buffer, ReadOnlySpan<byte> bytes)
    {
        var target = buffer.Memory.AsSpan(buffer.Size);
        bytes.CopyTo(target);
        BinaryPrimitives.WriteInt32LittleEndian(target, bytes.Length - HeaderSize);
        buffer.Size += bytes.Length;
        buffer.RecordCount++;
    }

    private void Flush(int channel)
    {
        var buffer = _current[channel];
        if (buffer is null || buffer.Size == 0)
        {
            return;
        }

        _current[channel] = null;
        _metrics.BuffersOut++;
        _metrics.BytesOut += buffer.Size;
        _partition.Subpartitions[channel].Add(buffer);
    }

    public void FlushAll()
    {
        for (var channel = 0; channel < _current.Length; channel++)
        {
            Flush(channel);
        }
    }

    /// <summary>Sends an event on every channel after all records written before it.</summary>
    public void BroadcastEvent(StreamEvent streamEvent)
    {
        FlushAll();
        foreach (var subpartition in _partition.Subpartitions)
        {
            subpartition.Add(NetworkBuffer.ForEvent(streamEvent));
        }
    }

    /// <summary>Gives back a partly filled buffer that will never be sent (the task is going away).</summary>
    public void ReleaseUnsent()
    {
        for (var channel = 0; channel < _current.Length; channel++)
        {
            _current[channel]?.Recycle();
            _current[channel] = null;
        }
    }
}
