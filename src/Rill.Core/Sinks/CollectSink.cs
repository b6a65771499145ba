namespace Rill.Sinks;

/// <summary>
/// Collects every record in memory, for tests and small embedded jobs. Works only in the process that runs the
/// tasks. Timestamps are kept only when asked for, so collecting large results costs no more than the values.
/// </summary>
public sealed class CollectSink<T>(bool recordTimestamps = false) : ISink<T>
{
    private readonly List<T> _values = [];
    private readonly List<long?>? _timestamps = recordTimestamps ? [] : null;
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
                return _timestamps is null
                    ? throw new InvalidOperationException("This sink does not record timestamps: create it with recordTimestamps: true.")
                    : _values.Zip(_timestamps).ToList();
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
            _timestamps?.Clear();
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
                sink._timestamps?.Add(timestamp);
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
