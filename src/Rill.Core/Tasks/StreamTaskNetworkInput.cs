using System.Buffers.Binary;
using Rill.EventTime;
using Rill.Metrics;
using Rill.Network;
using Rill.Operators;
using Rill.Serialization;

namespace Rill.Tasks;

/// <summary>Type-erased view of a task's network input, so the task loop needs no generic parameter.</summary>
internal interface IStreamTaskInput
{
    InputGate Gate { get; }

    /// <summary>Reads one buffer from the channel (if any) and pushes its records into the chain.</summary>
    void ProcessChannel(int channel);

    bool IsFinished { get; }

    /// <summary>Every channel delivered end of data (or ended): the operators can finish.</summary>
    bool IsDataEnded { get; }

    /// <summary>Receives the barriers; set by the task before the first buffer is read.</summary>
    Checkpointing.CheckpointBarrierHandler? Barriers { get; set; }
}

/// <summary>Deserializes buffers from the input gate and feeds records, watermarks and idleness to the head operator.</summary>
internal sealed class StreamTaskNetworkInput<T> : IStreamTaskInput
{
    private readonly IInput<T> _head;
    private readonly string _headName;
    private readonly TypeSerializer<T> _serializer;
    private readonly DataInputView _view = new();
    private readonly StatusWatermarkValve _valve;
    private readonly TaskIOMetrics _metrics;
    private readonly bool[] _dataEnded;
    private int _dataEndedCount;

    public StreamTaskNetworkInput(InputGate gate, IInput<T> head, string headName, TypeSerializer<T> serializer, TaskIOMetrics metrics)
    {
        Gate = gate;
        _head = head;
        _headName = headName;
        _serializer = serializer;
        _metrics = metrics;
        _valve = new StatusWatermarkValve(gate.NumberOfChannels);
        _dataEnded = new bool[gate.NumberOfChannels];
    }

    public bool IsDataEnded => _dataEndedCount == _dataEnded.Length;

    public Checkpointing.CheckpointBarrierHandler? Barriers { get; set; }

    private void MarkDataEnded(int channel)
    {
        if (!_dataEnded[channel])
        {
            _dataEnded[channel] = true;
            _dataEndedCount++;
        }
    }

    public InputGate Gate { get; }

    public bool IsFinished => Gate.IsFinished;

    public void ProcessChannel(int channel)
    {
        if (!Gate.TryPoll(channel, out var buffer))
        {
            return;
        }

        if (buffer.Event is { } streamEvent)
        {
            try
            {
                HandleEvent(streamEvent, channel);
            }
            catch (Exception e) when (e is not OperatorException and not OperationCanceledException)
            {
                throw new OperatorException(_headName, e);
            }

            return;
        }

        _metrics.BuffersIn++;
        _metrics.BytesIn += buffer.Size;
        if (Gate.IsRemote(channel))
        {
            _metrics.RemoteBytesIn += buffer.Size;
        }

        try
        {
            var memory = buffer.Memory;
            var position = 0;
            var size = buffer.Size;
            while (position < size)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(memory.AsSpan(position));
                var timestamp = BinaryPrimitives.ReadInt64LittleEndian(memory.AsSpan(position + 4));
                _view.Reset(memory, position + RecordWriter<T>.HeaderSize, length);
                var value = _serializer.Deserialize(_view);
                position += RecordWriter<T>.HeaderSize + length;
                _metrics.RecordsIn++;
                _head.ProcessElement(value, timestamp);
            }
        }
        catch (Exception e) when (e is not OperatorException and not OperationCanceledException)
        {
            throw new OperatorException(_headName, e);
        }
        finally
        {
            buffer.Recycle();
        }
    }

    private void ForwardWatermark(long watermark)
    {
        Volatile.Write(ref _metrics.CurrentInputWatermark, watermark);
        _head.ProcessWatermark(new Watermark(watermark));
    }

    private void HandleEvent(StreamEvent streamEvent, int channel)
    {
        switch (streamEvent)
        {
            case WatermarkEvent watermark:
                if (_valve.InputWatermark(watermark.Watermark.Timestamp, channel) is { } advanced)
                {
                    ForwardWatermark(advanced);
                }

                break;
            case WatermarkStatusEvent status:
                var (newWatermark, idle) = _valve.InputWatermarkStatus(status.Idle, channel);
                if (newWatermark is { } w)
                {
                    ForwardWatermark(w);
                }

                if (idle is { } isIdle)
                {
                    _head.ProcessWatermarkStatus(isIdle);
                }

                break;
            case Checkpointing.CheckpointBarrier barrier:
                (Barriers ?? throw new InvalidOperationException("A checkpoint barrier arrived at a task without checkpointing.")).OnBarrier(channel, barrier);
                break;
            case EndOfDataEvent:
                MarkDataEnded(channel);
                break;
            case EndOfPartitionEvent:
                // End of data first: the upstream task finished its operators, so its data is complete. Without it the
                // upstream stopped with a savepoint (Flink's stop without --drain) and its data goes on in the next run.
                var drained = _dataEnded[channel];
                MarkDataEnded(channel);
                Barriers?.OnChannelFinished(channel);
                Gate.MarkFinished(channel);
                // A drained channel no longer holds event time back, even if no final watermark came through it. A stopped
                // one keeps its watermark: releasing it would fire every open window with the counts so far, results the
                // restored job computes again in full.
                if (drained && _valve.ChannelFinished(channel) is { } afterFinish)
                {
                    ForwardWatermark(afterFinish);
                }

                break;
            default:
                throw new InvalidOperationException($"Unknown stream event {streamEvent}.");
        }
    }
}
