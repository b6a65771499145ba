using System.Text;

namespace Rill.Sinks;

/// <summary>
/// Writes records as UTF-8 lines into a directory: each subtask writes a hidden in-progress file
/// (".part-&lt;subtask&gt;-&lt;attempt&gt;.inprogress") and publishes it as "part-&lt;subtask&gt;-&lt;n&gt;" when its
/// input ends successfully. Readers ignore names that start with a dot, so a failed run leaves no partial
/// results behind, and a new attempt deletes the previous attempts' unpublished files. A hidden ledger per subtask
/// (".part-&lt;subtask&gt;.ledger") names the job and the files it published: a restarted attempt of the same job (also
/// after a JobManager failover) first removes what earlier attempts published, since it writes all of it again, so a
/// restart never duplicates output. Files of other jobs are never touched.
/// </summary>
public sealed class FileSink<T>(string directory, Func<T, string>? format = null) : ISink<T>
{
    public string Directory { get; } = System.IO.Path.GetFullPath(directory);

    public ISinkWriter<T> CreateWriter(SinkWriterContext context)
    {
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var stale in System.IO.Directory.EnumerateFiles(Directory, $".part-{context.SubtaskIndex}-*.inprogress"))
        {
            File.Delete(stale);
        }

        var ledger = LedgerPath(Directory, context.SubtaskIndex);
        var job = context.JobId.ToString("N");
        if (File.Exists(ledger) && File.ReadAllLines(ledger) is [var ledgerJob, .. var published] && ledgerJob == job)
        {
            foreach (var name in published)
            {
                File.Delete(System.IO.Path.Combine(Directory, System.IO.Path.GetFileName(name)));
            }
        }

        File.WriteAllText(ledger, job + "\n");
        return new Writer(Directory, context, format);
    }

    private static string LedgerPath(string directory, int subtask) => System.IO.Path.Combine(directory, $".part-{subtask}.ledger");

    private sealed class Writer : ISinkWriter<T>
    {
        private readonly string _directory;
        private readonly SinkWriterContext _context;
        private readonly Func<T, string>? _format;
        private readonly string _inProgressPath;
        private StreamWriter? _writer;

        public Writer(string directory, SinkWriterContext context, Func<T, string>? format)
        {
            _directory = directory;
            _context = context;
            _format = format;
            _inProgressPath = System.IO.Path.Combine(directory, $".part-{context.SubtaskIndex}-{context.AttemptNumber}.inprogress");
        }

        public void Write(T value, long? timestamp)
        {
            _writer ??= new StreamWriter(_inProgressPath, append: false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
            _writer.WriteLine(_format is null ? value?.ToString() : _format(value));
        }

        public void Flush(bool endOfInput)
        {
            _writer?.Flush();
            if (!endOfInput || _writer is null)
            {
                return;
            }

            _writer.Dispose();
            _writer = null;
            var published = NextPartPath();
            // Ledger first: a crash between the two leaves a name without a file, which the next attempt skips.
            File.AppendAllText(LedgerPath(_directory, _context.SubtaskIndex), System.IO.Path.GetFileName(published) + "\n");
            File.Move(_inProgressPath, published, overwrite: false);
        }

        private string NextPartPath()
        {
            for (var n = 0; ; n++)
            {
                var candidate = System.IO.Path.Combine(_directory, $"part-{_context.SubtaskIndex}-{n}");
                if (!File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        public void Dispose()
        {
            if (_writer is not null)
            {
                // Not published: the subtask did not finish. The hidden file is deleted by the next attempt.
                _writer.Dispose();
                _writer = null;
            }
        }
    }
}
