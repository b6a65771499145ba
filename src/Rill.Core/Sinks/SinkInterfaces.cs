namespace Rill.Sinks;

/// <summary>Flink's Sink V2 shape: the sink is a factory; each parallel subtask writes through its own writer.</summary>
public interface ISink<in T>
{
    ISinkWriter<T> CreateWriter(SinkWriterContext context);
}

public interface ISinkWriter<in T> : IDisposable
{
    void Write(T value, long? timestamp);

    /// <summary>Makes written data durable; <paramref name="endOfInput"/> is true once, after the last record.</summary>
    void Flush(bool endOfInput);
}

/// <param name="JobId">The job the writer belongs to; the same across restarts and JobManager failovers of that job.</param>
public sealed record SinkWriterContext(int SubtaskIndex, int Parallelism, int AttemptNumber, string OperatorName, Guid JobId = default);
