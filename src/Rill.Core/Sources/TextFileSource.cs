using System.Text;

namespace Rill.Sources;

/// <summary>
/// Reads a UTF-8 text file line by line ('\n' or "\r\n" endings; a leading BOM is dropped). The file is cut into
/// byte ranges, one per reader or more for large files, so several subtasks read one file; a line belongs to
/// the range in which it starts. With <c>follow</c> the source is unbounded (as <c>tail -f</c>): one reader reads the
/// whole file and then every line appended to it, a line only once its '\n' is written.
/// </summary>
public sealed class TextFileSource : ISource<TextLine, FileSplit>
{
    private const long MaxSplitBytes = 64L * 1024 * 1024;
    private static readonly TimeSpan FollowPollInterval = TimeSpan.FromMilliseconds(100);

    public TextFileSource(string path, bool follow = false)
    {
        Follow = follow;
        Path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(Path))
        {
            throw new FileNotFoundException($"Input file not found: {path}", path);
        }

        DisplayPath = path;
    }

    public string Path { get; }

    /// <summary>The path as the user wrote it, used in error messages.</summary>
    public string DisplayPath { get; }

    /// <summary>Keep reading lines appended to the file; the job never ends on its own.</summary>
    public bool Follow { get; }

    public Boundedness Boundedness => Follow ? Boundedness.ContinuousUnbounded : Boundedness.Bounded;

    /// <summary>A followed file is one growing split: one reader.</summary>
    public int? MaxParallelism => Follow ? 1 : null;

    public ISplitEnumerator<FileSplit> CreateEnumerator(ISplitEnumeratorContext<FileSplit> context) =>
        new StaticSplitEnumerator<FileSplit>(context, Follow ? [new FileSplit(Path, 0, long.MaxValue, 0)] : CreateSplits(context.CurrentParallelism));

    public ISplitEnumerator<FileSplit> RestoreEnumerator(ISplitEnumeratorContext<FileSplit> context, IReadOnlyList<FileSplit> unassignedSplits) =>
        new StaticSplitEnumerator<FileSplit>(context, unassignedSplits);

    public ISourceReader<TextLine, FileSplit> CreateReader(ISourceReaderContext context) => new Reader(context, DisplayPath, Follow);

    internal IReadOnlyList<FileSplit> CreateSplits(int parallelism)
    {
        var length = new FileInfo(Path).Length;
        if (length == 0)
        {
            return [];
        }

        var parts = (int)Math.Max(Math.Min(parallelism, length), (length + MaxSplitBytes - 1) / MaxSplitBytes);
        var boundaries = Enumerable.Range(0, parts + 1).Select(i => length * i / parts).Distinct().ToArray();
        var newlines = CountNewlinesBefore(boundaries);
        var splits = new List<FileSplit>();
        for (var i = 0; i + 1 < boundaries.Length; i++)
        {
            splits.Add(new FileSplit(Path, boundaries[i], boundaries[i + 1], newlines[i]));
        }

        return splits;
    }

    /// <summary>For each boundary b &gt; 0, the number of '\n' in bytes [0, b − 1); one pass over the file.</summary>
    private long[] CountNewlinesBefore(long[] boundaries)
    {
        var result = new long[boundaries.Length];
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var buffer = new byte[1 << 16];
        long position = 0;
        long count = 0;
        for (var i = 0; i < boundaries.Length; i++)
        {
            var target = Math.Max(0, boundaries[i] - 1);
            while (position < target)
            {
                var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, target - position));
                if (read == 0)
                {
                    break;
                }

                count += buffer.AsSpan(0, read).Count((byte)'\n');
                position += read;
            }

            result[i] = count;
        }

        return result;
    }

    private sealed class Reader(ISourceReaderContext context, string displayPath, bool follow) : SplitReaderBase<TextLine, FileSplit>(context)
    {
        private Task _pollDelay = Task.CompletedTask;

        private FileStream? _stream;
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _bufferPos;
        private int _bufferLen;
        private long _position;
        private long _lineNumber;
        private byte[] _line = new byte[256];

        protected override void OpenSplit(FileSplit split)
        {
            _stream = new FileStream(split.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            _bufferPos = _bufferLen = 0;
            if (split.Start == 0)
            {
                _position = 0;
                _lineNumber = 1;
                return;
            }

            // Skip the rest of the line that started in the previous split (ends at the first '\n' at or after Start − 1).
            _stream.Seek(split.Start - 1, SeekOrigin.Begin);
            _position = split.Start - 1;
            while (ReadByte() is var b && b >= 0 && b != '\n')
            {
            }

            _lineNumber = split.NewlinesBefore + 2;
        }

        /// <summary>Snapshots are taken between lines, so the position is a line start and the split resumes at it.</summary>
        protected override FileSplit CurrentSplitWithProgress() =>
            _position == 0 ? CurrentSplit! : CurrentSplit! with { Start = _position, NewlinesBefore = _lineNumber - 2 };

        private int ReadByte()
        {
            if (_bufferPos == _bufferLen)
            {
                _bufferLen = _stream!.Read(_buffer, 0, _buffer.Length);
                _bufferPos = 0;
                if (_bufferLen == 0)
                {
                    return -1;
                }
            }

            _position++;
            return _buffer[_bufferPos++];
        }

        protected override SplitStatus ReadFromSplit(IReaderOutput<TextLine> output, int maxRecords)
        {
            var split = CurrentSplit!;
            for (var n = 0; n < maxRecords; n++)
            {
                if (_position >= split.End)
                {
                    return SplitStatus.Finished;
                }

                var lineStart = _position;
                var length = 0;
                var sawAny = false;
                int b;
                while ((b = ReadByte()) >= 0 && b != '\n')
                {
                    sawAny = true;
                    if (length == _line.Length)
                    {
                        Array.Resize(ref _line, _line.Length * 2);
                    }

                    _line[length++] = (byte)b;
                }

                if (b < 0 && follow)
                {
                    // The end of what is written so far: a line without its '\n' may still be being written. Read it
                    // again from its start once the file has grown.
                    _stream!.Seek(lineStart, SeekOrigin.Begin);
                    _position = lineStart;
                    _bufferPos = _bufferLen = 0;
                    var wake = new TaskCompletionSource();
                    Context.ProcessingTime.RegisterTimer(Context.ProcessingTime.CurrentTime + (long)FollowPollInterval.TotalMilliseconds, _ => wake.TrySetResult());
                    _pollDelay = wake.Task;
                    return SplitStatus.NothingAvailable;
                }

                if (b < 0 && !sawAny)
                {
                    return SplitStatus.Finished; // end of file right after a newline: no further line
                }

                var span = _line.AsSpan(0, length);
                if (span.Length > 0 && span[^1] == '\r')
                {
                    span = span[..^1];
                }

                if (lineStart == 0 && span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                {
                    span = span[3..];
                }

                output.Collect(new TextLine(displayPath, _lineNumber++, Encoding.UTF8.GetString(span)));
                if (b < 0)
                {
                    return SplitStatus.Finished;
                }
            }

            return SplitStatus.MoreAvailable;
        }

        public override Task IsAvailable() => _pollDelay.IsCompleted ? base.IsAvailable() : _pollDelay;

        protected override void CloseSplit()
        {
            _stream?.Dispose();
            _stream = null;
        }

        public override void Dispose()
        {
            CloseSplit();
            base.Dispose();
        }
    }
}
