using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Rill.Network.Remote;

/// <summary>
/// Serves this TaskManager's result partitions to consumers in other processes over TCP, with Flink's credit-based
/// flow control: a data buffer is sent only against a credit the consumer granted, so a slow consumer leaves buffers
/// queued at the producer, whose bounded pool then backpressures it — the sender's memory never grows without bound.
/// </summary>
public sealed class PartitionRequestServer : IAsyncDisposable
{
    private readonly ResultPartitionManager _partitions;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _lock = new();
    private Task? _acceptLoop;
    private long _buffersSent;
    private long _bytesSent;
    private int _disposed;

    public PartitionRequestServer(ResultPartitionManager partitions, IPAddress bindAddress, int port = 0)
    {
        _partitions = partitions;
        _listener = new TcpListener(bindAddress, port);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public long BuffersSent => Interlocked.Read(ref _buffersSent);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>
    /// The most bytes ever in flight on one channel: sent, but not yet given back as credit by the consumer. Credit-based
    /// flow control keeps it at or below <see cref="MaxInitialCredit"/> buffers, whatever the consumer's speed.
    /// </summary>
    public long MaxInFlightBytesPerChannel => Interlocked.Read(ref _maxInFlightBytes);

    /// <summary>The largest credit a consumer granted a channel when it asked for it (its buffers for that channel).</summary>
    public int MaxInitialCredit => Volatile.Read(ref _maxInitialCredit);

    private long _maxInFlightBytes;
    private int _maxInitialCredit;

    private void RecordInFlight(long bytes)
    {
        var seen = Interlocked.Read(ref _maxInFlightBytes);
        while (bytes > seen && Interlocked.CompareExchange(ref _maxInFlightBytes, bytes, seen) != seen)
        {
            seen = Interlocked.Read(ref _maxInFlightBytes);
        }
    }

    private void RecordInitialCredit(int credit)
    {
        var seen = Volatile.Read(ref _maxInitialCredit);
        while (credit > seen && Interlocked.CompareExchange(ref _maxInitialCredit, credit, seen) != seen)
        {
            seen = Volatile.Read(ref _maxInitialCredit);
        }
    }

    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            client.NoDelay = true;
            lock (_lock)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var connection = client;
        var stream = client.GetStream();
        var header = new byte[Frames.HeaderSize];
        var payload = new byte[256];
        try
        {
            var frame = await Frames.ReadAsync(stream, header, n => payload = payload.Length >= n ? payload : new byte[n], _stop.Token).ConfigureAwait(false);
            if (frame is not { Type: FrameType.Request } request)
            {
                return;
            }

            var partitionRequest = PartitionRequest.Decode(payload.AsSpan(0, request.Length));
            var partition = _partitions.GetOrCreate(partitionRequest.Partition, partitionRequest.NumberOfSubpartitions);
            var sender = new SubpartitionSender(this, stream, partition.Subpartitions[partitionRequest.SubpartitionIndex], partitionRequest.InitialCredit);
            await sender.RunAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The consumer went away (or we are stopping): its task reports the lost connection on its side.
        }
        catch (Exception e)
        {
            // A bad request or a broken partition: tell the consumer why instead of just closing on it.
            try
            {
                await Frames.WriteAsync(stream, FrameType.Error, System.Text.Encoding.UTF8.GetBytes($"producer side failed: {e.Message}"), CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch (Exception writeError) when (writeError is IOException or SocketException or ObjectDisposedException)
            {
                // the consumer is gone as well
            }
        }
    }

    private void CountSent(int bytes)
    {
        Interlocked.Increment(ref _buffersSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task[] connections;
        lock (_lock)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Sends one subpartition's buffers to one consumer, as its credits allow.</summary>
    private sealed class SubpartitionSender(PartitionRequestServer server, NetworkStream stream, ResultSubpartition subpartition, int initialCredit)
        : IBufferAvailabilityListener
    {
        private readonly SemaphoreSlim _wake = new(0);
        private readonly Queue<int> _inFlight = new(); // sizes of buffers sent and not yet credited back, oldest first
        private long _inFlightBytes;
        private readonly int _initialCredit = initialCredit;
        private int _credit = initialCredit;
        private NetworkBuffer? _waitingForCredit;

        public void NotifyDataAvailable(int channelIndex) => _wake.Release();

        public async Task RunAsync(CancellationToken cancellation)
        {
            server.RecordInitialCredit(_initialCredit);
            subpartition.Attach(this, 0);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var credits = ReadCreditsAsync(linked.Token);
            try
            {
                while (true)
                {
                    await _wake.WaitAsync(linked.Token).ConfigureAwait(false);
                    if (credits.IsCompleted)
                    {
                        await credits.ConfigureAwait(false); // the consumer closed: surface why
                        return;
                    }

                    if (await SendWhatCreditsAllowAsync(linked.Token).ConfigureAwait(false))
                    {
                        // End of partition sent. Closing now could reset the connection before the consumer read it;
                        // the consumer closes first, so wait for that (bounded).
                        await Task.WhenAny(credits, Task.Delay(TimeSpan.FromSeconds(10), linked.Token)).ConfigureAwait(false);
                        return;
                    }
                }
            }
            finally
            {
                await linked.CancelAsync().ConfigureAwait(false);
                _waitingForCredit?.Recycle();
                subpartition.Discard(); // nobody will read this subpartition again: give its buffers back to the producer
            }
        }

        /// <summary>Returns true once the end-of-partition event went out.</summary>
        private async Task<bool> SendWhatCreditsAllowAsync(CancellationToken cancellation)
        {
            while (true)
            {
                var buffer = _waitingForCredit;
                if (buffer is null && !subpartition.TryPoll(out buffer))
                {
                    return false;
                }

                _waitingForCredit = null;
                if (buffer.Event is { } streamEvent)
                {
                    await Frames.WriteAsync(stream, FrameType.Event, Frames.EncodeEvent(streamEvent), cancellation).ConfigureAwait(false);
                    if (streamEvent is EndOfPartitionEvent)
                    {
                        await stream.FlushAsync(cancellation).ConfigureAwait(false);
                        return true; // the consumer closes the connection once it has read this
                    }

                    continue;
                }

                if (Volatile.Read(ref _credit) == 0)
                {
                    _waitingForCredit = buffer; // keep order: nothing overtakes a buffer that waits for credit
                    return false;
                }

                Interlocked.Decrement(ref _credit);
                // One pooled frame (header, record count, data) and one write per buffer: no allocation per buffer.
                var size = buffer.Size;
                var frameLength = Frames.HeaderSize + 4 + size;
                var frame = System.Buffers.ArrayPool<byte>.Shared.Rent(frameLength);
                Frames.WriteHeader(frame, FrameType.Buffer, 4 + size);
                BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(Frames.HeaderSize), buffer.RecordCount);
                buffer.Memory.AsSpan(0, size).CopyTo(frame.AsSpan(Frames.HeaderSize + 4));
                buffer.Recycle(); // back to the producer's pool now that its bytes are copied
                lock (_inFlight)
                {
                    _inFlight.Enqueue(size);
                    _inFlightBytes += size;
                    server.RecordInFlight(_inFlightBytes);
                }

                try
                {
                    await stream.WriteAsync(frame.AsMemory(0, frameLength), cancellation).ConfigureAwait(false);
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(frame);
                }

                server.CountSent(size);
            }
        }

        private async Task ReadCreditsAsync(CancellationToken cancellation)
        {
            var header = new byte[Frames.HeaderSize];
            var payload = new byte[Frames.MaxControlFrame];
            try
            {
                while (await Frames.ReadAsync(stream, header, n => n <= payload.Length ? payload : throw new InvalidDataException($"Control frame of {n} bytes."), cancellation)
                    .ConfigureAwait(false) is { } frame)
                {
                    if (frame.Type != FrameType.Credit || frame.Length != 4)
                    {
                        throw new InvalidDataException($"Expected a 4-byte credit frame, got {frame.Type} of {frame.Length} bytes.");
                    }

                    var credit = BinaryPrimitives.ReadInt32LittleEndian(payload);
                    if (credit <= 0)
                    {
                        throw new InvalidDataException($"Invalid credit {credit}.");
                    }

                    lock (_inFlight)
                    {
                        // Each credit is a buffer the consumer freed: the oldest ones sent are no longer in flight.
                        for (var i = 0; i < credit && _inFlight.TryDequeue(out var freed); i++)
                        {
                            _inFlightBytes -= freed;
                        }
                    }

                    Interlocked.Add(ref _credit, credit);
                    _wake.Release();
                }
            }
            finally
            {
                _wake.Release(); // whatever ended the reader (close, reset, bad frame), the sender must notice
            }
        }
    }
}
