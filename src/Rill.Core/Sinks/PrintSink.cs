namespace Rill.Sinks;

/// <summary>
/// Writes each record's text as one line to standard output (or error). Like Flink, lines get a "N&gt; " prefix
/// (1-based subtask) when the sink runs with parallelism above 1, unless the prefix is turned off.
/// </summary>
public sealed class PrintSink<T>(bool toStandardError = false, bool subtaskPrefix = true, Func<T, string>? format = null) : ISink<T>
{
    private static readonly Lock ConsoleLock = new();

    public ISinkWriter<T> CreateWriter(SinkWriterContext context) =>
        new Writer(toStandardError ? Console.Error : Console.Out, subtaskPrefix && context.Parallelism > 1 ? $"{context.SubtaskIndex + 1}> " : string.Empty, format);

    private sealed class Writer(TextWriter target, string prefix, Func<T, string>? format) : ISinkWriter<T>
    {
        // Every record is written at once, as Flink's println: a slow or windowed stream shows its output as it
        // happens, not when some buffer fills up.
        public void Write(T value, long? timestamp)
        {
            var line = prefix + (format is null ? value?.ToString() : format(value));
            lock (ConsoleLock)
            {
                target.WriteLine(line);
            }
        }

        public void Flush(bool endOfInput)
        {
            lock (ConsoleLock)
            {
                target.Flush();
            }
        }

        public void Dispose()
        {
        }
    }
}
