using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Rill.Network.Remote;

/// <summary>
/// An input channel that reads a subpartition of a producer in another process. It grants the producer one credit
/// per buffer of its own (exclusive) pool and a new credit whenever the consumer recycles one, so no more buffers are
/// ever in flight than it can hold. A broken connection fails the channel with "connection lost" at once, rather than
/// waiting for a heartbeat to time out.
/// </summary>
public sealed class RemoteInputChannel : IInputChannel, IAsyncDisposable
{
    private readonly IPEndPoint _producer;
    private readonly PartitionRequest _request;
    private readonly BufferPool _pool;
    private readonly ConcurrentQueue<NetworkBuffer> _received = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private TcpClient? _client;
    private NetworkStream? _stream;
    private Task? _receiveLoop;
    private readonly Lock _listenerLock = new();
    private IBufferAvailabilityListener? _listener;
    private int _channelIndex;
    private volatile Exception? _failure;
    private volatile bool _endOfPartition;

    public RemoteInputChannel(IPEndPoint producer, ResultPartitionId partition, int numberOfSubpartitions, int subpartitionIndex, int credits, int segmentSize)
    {
        _producer = producer;
        _request = new PartitionRequest(partition, numberOfSubpartitions, subpartitionIndex, credits);
        _pool = new BufferPool(credits, segmentSize, onReturn: GrantCredit);
    }

    /// <summary>Buffers received and not yet recycled by the consumer: never more than the credits granted.</summary>
    public int BuffersInUse => _pool.NumberOfBuffers - _pool.AvailableBuffers;

    public async Task ConnectAsync(CancellationToken cancellation)
    {
        _client = new TcpClient { NoDelay = true };
        await _client.ConnectAsync(_producer, cancellation).ConfigureAwait(false);
        _stream = _client.GetStream();
        await Frames.WriteAsync(_stream, FrameType.Request, _request.Encode(), cancellation).ConfigureAwait(false);
        _receiveLoop = ReceiveAsync();
    }

    public void Attach(IBufferAvailabilityListener listener, int channelIndex)
    {
        lock (_listenerLock)
        {
            _channelIndex = channelIndex;
            _listener = listener;
            // Announce what came before the consumer attached, and a failure that happened meanwhile.
            var pending = _received.Count + (_failure is null ? 0 : 1);
            for (var i = 0; i < pending; i++)
            {
                listener.NotifyDataAvailable(channelIndex);
            }
        }
    }

    public bool TryPoll(out NetworkBuffer buffer)
    {
        if (_received.TryDequeue(out buffer!))
        {
            return true;
        }

        if (_failure is { } failure)
        {
            throw new IOException($"Data connection lost to producer {_producer} ({_request.Partition}): {failure.Message}", failure);
        }

        return false;
    }

    private async Task ReceiveAsync()
    {
        var header = new byte[Frames.HeaderSize];
        var payload = new byte[_pool.SegmentSize + 4];
        try
        {
            // A record larger than a segment travels in a buffer of its own size, so frames may exceed a segment.
            while (await Frames.ReadAsync(_stream!, header, n => payload.Length >= n ? payload : payload = new byte[n], _stop.Token).ConfigureAwait(false) is { } frame)
            {
                switch (frame.Type)
                {
                    case FrameType.Buffer:
                        var buffer = _pool.TryRequest()
                            ?? throw new InvalidDataException("The producer sent a buffer without credit (flow-control violation).");
                        var size = frame.Length - 4;
                        if (size > buffer.Capacity)
                        {
                            // One record larger than a segment: it gets a buffer of its own size, and the pooled
                            // buffer (the credit it used) goes straight back.
                            buffer.Recycle();
                            buffer = new NetworkBuffer(new byte[size], owner: null);
                        }

                        payload.AsSpan(4, size).CopyTo(buffer.Memory);
                        buffer.Size = size;
                        buffer.RecordCount = BinaryPrimitives.ReadInt32LittleEndian(payload);
                        Deliver(buffer);
                        break;
                    case FrameType.Event:
                        var streamEvent = Frames.DecodeEvent(payload.AsSpan(0, frame.Length));
                        Deliver(NetworkBuffer.ForEvent(streamEvent));
                        if (streamEvent is EndOfPartitionEvent)
                        {
                            _endOfPartition = true;
                            _client?.Dispose(); // the producer waits for this close before it closes its side
                            return;
                        }

                        break;
                    case FrameType.Error:
                        throw new IOException(System.Text.Encoding.UTF8.GetString(payload, 0, frame.Length));
                    default:
                        throw new InvalidDataException($"Unexpected frame {frame.Type} from the producer.");
                }
            }

            throw new EndOfStreamException("the producer closed the connection before the end of the partition");
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!_endOfPartition)
        {
            Fail(e);
        }
    }

    private void Deliver(NetworkBuffer buffer)
    {
        lock (_listenerLock)
        {
            _received.Enqueue(buffer);
            _listener?.NotifyDataAvailable(_channelIndex);
        }
    }

    private void Fail(Exception failure)
    {
        lock (_listenerLock)
        {
            _failure = failure;
            _listener?.NotifyDataAvailable(_channelIndex); // let the task find out now
        }
    }

    /// <summary>The consumer recycled a buffer: the producer may send one more.</summary>
    private void GrantCredit()
    {
        if (_endOfPartition || _failure is not null || _stream is null || _stop.IsCancellationRequested)
        {
            return;
        }

        var payload = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(payload, 1);
        _writeLock.Wait();
        try
        {
            Frames.WriteAsync(_stream, FrameType.Credit, payload, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // Only the receive loop decides that the connection failed: a credit that cannot be sent after the
            // partition ended (or while the connection breaks) is no failure of its own.
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _client?.Dispose();
        if (_receiveLoop is not null)
        {
            await _receiveLoop.ConfigureAwait(false);
        }

        while (_received.TryDequeue(out var buffer))
        {
            buffer.Recycle();
        }

        _stop.Dispose();
    }
}
