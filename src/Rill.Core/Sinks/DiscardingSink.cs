namespace Rill.Sinks;

/// <summary>Drops every record (Flink's DiscardingSink): ends a branch that exists only for its side effects or counters.</summary>
public sealed class DiscardingSink<T> : ISink<T>
{
    public ISinkWriter<T> CreateWriter(SinkWriterContext context) => new Writer();

    private sealed class Writer : ISinkWriter<T>
    {
        public void Write(T value, long? timestamp)
        {
        }

        public void Flush(bool endOfInput)
        {
        }

        public void Dispose()
        {
        }
    }
}
