using System.Collections.Concurrent;
using System.Diagnostics;

namespace Rill.Network;

/// <summary>
/// A fixed set of equally sized buffers. A producer that finds the pool empty blocks until a consumer recycles
/// one (backpressure); the time it spends blocked is recorded as back-pressured time.
/// </summary>
public sealed class BufferPool
{
    private readonly ConcurrentBag<NetworkBuffer> _available = new();
    private readonly SemaphoreSlim _count;
    private readonly Action? _onReturn;
    private long _backPressuredTicks;

    /// <param name="onReturn">Called after a buffer came back (a remote channel announces a new credit then).</param>
    public BufferPool(int numberOfBuffers, int segmentSize, Action? onReturn = null)
    {
        _onReturn = onReturn;
        if (numberOfBuffers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numberOfBuffers), "A pool needs at least one buffer.");
        }

        NumberOfBuffers = numberOfBuffers;
        SegmentSize = segmentSize;
        for (var i = 0; i < numberOfBuffers; i++)
        {
            _available.Add(new NetworkBuffer(new byte[segmentSize], this));
        }

        _count = new SemaphoreSlim(numberOfBuffers, numberOfBuffers);
    }

    public int NumberOfBuffers { get; }

    public int SegmentSize { get; }

    public int AvailableBuffers => _count.CurrentCount;

    public TimeSpan BackPressuredTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _backPressuredTicks));

    /// <summary>A buffer if one is free now, else null (never blocks).</summary>
    public NetworkBuffer? TryRequest()
    {
        if (!_count.Wait(0))
        {
            return null;
        }

        return _available.TryTake(out var buffer)
            ? buffer
            : throw new InvalidOperationException("Buffer pool accounting is broken: a permit was granted without a buffer.");
    }

    public NetworkBuffer Request(CancellationToken cancellation)
    {
        if (!_count.Wait(0))
        {
            var start = Stopwatch.GetTimestamp();
            _count.Wait(cancellation);
            Interlocked.Add(ref _backPressuredTicks, Stopwatch.GetTimestamp() - start);
        }

        if (!_available.TryTake(out var buffer))
        {
            throw new InvalidOperationException("Buffer pool accounting is broken: a permit was granted without a buffer.");
        }

        return buffer;
    }

    internal void Return(NetworkBuffer buffer)
    {
        _available.Add(buffer);
        _count.Release();
        _onReturn?.Invoke();
    }
}
