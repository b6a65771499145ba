namespace Rill.Sinks;

/// <summary>Collects every record in memory, for tests and small embedded jobs. Works only in the process that runs the tasks.</summary>
public sealed class CollectSink<T> : ISink<T>
{
    private readonly List<T> _values = [];
    private readonly List<long?> _timestamps = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<T> Values
    {
        get
        {
            lock (_lock)
            {
                return _values.ToList();
            }
        }
    }

    public IReadOnlyList<(T Value, long? Timestamp)> ValuesWithTimestamps
    {
        get
        {
            lock (_lock)
            {
                return _values.Zip(_timestamps).ToList();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _values.Count;
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _values.Clear();
            _timestamps.Clear();
        }
    }

    public ISinkWriter<T> CreateWriter(SinkWriterContext context) => new Writer(this);

    private sealed class Writer(CollectSink<T> sink) : ISinkWriter<T>
    {
        public void Write(T value, long? timestamp)
        {
            lock (sink._lock)
            {
                sink._values.Add(value);
                sink._timestamps.Add(timestamp);
            }
        }

        public void Flush(bool endOfInput)
        {
        }

        public void Dispose()
        {
        }
    }
}
