using System.Collections.Concurrent;

namespace Rill.Network;

/// <summary>Receives notice that a channel has a buffer to read.</summary>
public interface IBufferAvailabilityListener
{
    void NotifyDataAvailable(int channelIndex);
}

/// <summary>One channel of an input gate: where a consumer reads the buffers of one producer subpartition.</summary>
public interface IInputChannel
{
    /// <summary>Connects the consumer; every buffer (including ones already there) is announced with the channel's index.</summary>
    void Attach(IBufferAvailabilityListener listener, int channelIndex);

    /// <summary>Takes the next buffer; throws when the channel broke (e.g. the connection to a remote producer was lost).</summary>
    bool TryPoll(out NetworkBuffer buffer);
}

/// <summary>
/// The queue of finished buffers from one producer subtask to one consumer subtask. A consumer in the same process
/// reads it directly (it is then the consumer's input channel); a remote consumer reads it through a partition server.
/// </summary>
public sealed class ResultSubpartition : IInputChannel
{
    private readonly ConcurrentQueue<NetworkBuffer> _buffers = new();
    private readonly Lock _listenerLock = new();
    private IBufferAvailabilityListener? _listener;
    private int _channelIndex;
    private bool _discarding;

    public int QueuedBuffers => _buffers.Count;

    public void Add(NetworkBuffer buffer)
    {
        lock (_listenerLock)
        {
            if (_discarding)
            {
                buffer.Recycle(); // the reader is gone for good: nothing here will ever be read
                return;
            }

            _buffers.Enqueue(buffer);
            _listener?.NotifyDataAvailable(_channelIndex);
        }
    }

    /// <summary>Connects the consumer; buffers queued before it connected are announced at once.</summary>
    public void Attach(IBufferAvailabilityListener listener, int channelIndex)
    {
        lock (_listenerLock)
        {
            if (_listener is not null)
            {
                throw new InvalidOperationException("Subpartition already has a consumer.");
            }

            _listener = listener;
            _channelIndex = channelIndex;
            for (var i = 0; i < _buffers.Count; i++)
            {
                listener.NotifyDataAvailable(channelIndex);
            }
        }
    }

    public bool TryPoll(out NetworkBuffer buffer) => _buffers.TryDequeue(out buffer!);

    /// <summary>The reader went away for good (its connection closed): drop what is queued and whatever comes later.</summary>
    public void Discard()
    {
        lock (_listenerLock)
        {
            _discarding = true;
        }

        Release();
    }

    /// <summary>Returns unread buffers to their pools when the exchange is torn down (cancel or failure).</summary>
    public void Release()
    {
        while (_buffers.TryDequeue(out var buffer))
        {
            buffer.Recycle();
        }
    }
}
