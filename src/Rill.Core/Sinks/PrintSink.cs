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
        private readonly System.Text.StringBuilder _pending = new();

        public void Write(T value, long? timestamp)
        {
            _pending.Append(prefix).Append(format is null ? value?.ToString() : format(value)).Append('\n');
            if (_pending.Length > 16 * 1024)
            {
                Flush(false);
            }
        }

        public void Flush(bool endOfInput)
        {
            if (_pending.Length == 0)
            {
                return;
            }

            lock (ConsoleLock)
            {
                target.Write(_pending.ToString());
                target.Flush();
            }

            _pending.Clear();
        }

        public void Dispose() => Flush(false);
    }
}
