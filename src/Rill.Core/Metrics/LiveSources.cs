namespace Rill.Metrics;

/// <summary>
/// The objects an observable instrument reads when a listener collects (the running subtasks, the ResourceManagers, the
/// checkpoint coordinators of this process). Copy on write: a collection reads a snapshot without taking a lock that
/// the components registering and leaving would also need.
/// </summary>
internal sealed class LiveSources<T>
    where T : class
{
    private readonly object _lock = new();
    private T[] _items = [];

    public T[] Snapshot => Volatile.Read(ref _items);

    /// <summary>Adds <paramref name="item"/> until the returned handle is disposed (disposing twice is harmless).</summary>
    public IDisposable Add(T item)
    {
        lock (_lock)
        {
            _items = [.. _items, item];
        }

        return new Removal(this, item);
    }

    private void Remove(T item)
    {
        lock (_lock)
        {
            _items = Array.FindAll(_items, i => !ReferenceEquals(i, item));
        }
    }

    private sealed class Removal(LiveSources<T> owner, T item) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(item);
            }
        }
    }
}
