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
/// In a checkpointed job it commits in two phases instead (as Flink's FileSink): records go to a hidden in-progress
/// file, each checkpoint closes it into a hidden pending file, and the checkpoint's completion renames pending files
/// to "part-&lt;subtask&gt;-&lt;writer&gt;-&lt;n&gt;": committed files appear while the job runs, each record in exactly one
/// of them. In-progress files of attempts that failed stay behind, hidden (as in Flink).
/// </summary>
public sealed class FileSink<T>(string directory, Func<T, string>? format = null) : ITwoPhaseCommittingSink<T, FileCommittable>
{
    public string Directory { get; } = System.IO.Path.GetFullPath(directory);

    public ICommittingSinkWriter<T, FileCommittable> CreateCommittingWriter(SinkWriterContext context)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return new CommittingWriter(Directory, context, format);
    }

    public ICommitter<FileCommittable> CreateCommitter() => new Committer(Directory);

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

    private sealed class CommittingWriter(string directory, SinkWriterContext context, Func<T, string>? format) : ICommittingSinkWriter<T, FileCommittable>
    {
        // Unique per writer, so attempts (and subtasks after a rescale) never write to the same names.
        private readonly string _prefix = $"part-{context.SubtaskIndex}-{Guid.NewGuid().ToString("N")[..8]}";
        private StreamWriter? _writer;
        private string? _inProgress;
        private int _counter;

        public void Write(T value, long? timestamp)
        {
            if (_writer is null)
            {
                _inProgress = System.IO.Path.Combine(directory, $".{_prefix}-{_counter}.inprogress");
                _writer = new StreamWriter(_inProgress, append: false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
            }

            _writer.WriteLine(format is null ? value?.ToString() : format(value));
        }

        /// <summary>Only flushes: publishing is the committer's job, after the final checkpoint.</summary>
        public void Flush(bool endOfInput) => _writer?.Flush();

        public IReadOnlyList<FileCommittable> PrepareCommit(long checkpointId)
        {
            if (_writer is null)
            {
                return [];
            }

            _writer.Flush();
            _writer.BaseStream.Flush();
            ((FileStream)_writer.BaseStream).Flush(flushToDisk: true);
            _writer.Dispose();
            _writer = null;
            var name = $"{_prefix}-{_counter++}";
            var pending = $".{name}.pending";
            File.Move(_inProgress!, System.IO.Path.Combine(directory, pending));
            return [new FileCommittable(pending, name)];
        }

        public void Dispose() => _writer?.Dispose();
    }

    private sealed class Committer(string directory) : ICommitter<FileCommittable>
    {
        public void Commit(IReadOnlyList<FileCommittable> committables)
        {
            foreach (var committable in committables)
            {
                var pending = System.IO.Path.Combine(directory, committable.PendingFile);
                var final = System.IO.Path.Combine(directory, committable.FinalFile);
                if (File.Exists(pending))
                {
                    File.Move(pending, final, overwrite: true);
                }
                else if (!File.Exists(final))
                {
                    throw new IOException($"Cannot commit {final}: neither it nor its pending file {pending} exists (was the output directory changed?).");
                }
            }
        }
    }
}

/// <summary>A pre-committed part file: the hidden pending file and the name it gets when committed (both in the sink's directory).</summary>
public sealed record FileCommittable(string PendingFile, string FinalFile);
