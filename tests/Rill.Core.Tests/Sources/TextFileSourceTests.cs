using System.Text;
using Rill.Sources;
using Rill.Tasks;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Sources;

/// <summary>
/// A text file read in byte-range splits must yield exactly the file's lines, each with its line number in the
/// whole file, whatever the parallelism and wherever the split boundaries fall.
/// </summary>
public sealed class TextFileSourceTests : IDisposable
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private readonly string _directory = Directory.CreateTempSubdirectory("rill-text-source-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> Files() => new(FileContents.Keys);

    private static readonly Dictionary<string, (bool Bom, string Text)> FileContents = new()
    {
        ["lf"] = (false, string.Concat(Enumerable.Range(1, 300).Select(i => $"line {i}: {new string('x', i % 17)} é日本🎉\n"))),
        ["crlf"] = (false, string.Concat(Enumerable.Range(1, 120).Select(i => $"row,{i},{i * i}\r\n"))),
        ["bom"] = (true, "first line after BOM\nsecond\nthird\n"),
        ["bom-crlf-no-trailing-newline"] = (true, "a\r\nb\r\nc"),
        ["no-trailing-newline"] = (false, string.Join("\n", Enumerable.Range(1, 50).Select(i => $"value {i}"))),
        ["empty-lines"] = (false, "\n\nfirst\n\n\nsecond\n\n"),
        ["only-newlines"] = (false, "\n\n\n"),
        ["single-line"] = (false, "just one line"),
        ["single-char"] = (false, "x"),
        ["mixed-endings"] = (false, "lf\ncrlf\r\ninner\rcarriage return\n\r\nlast"),
        ["long-line"] = (false, new string('L', 200_000) + "\nshort\n" + new string('M', 70_000) + "\n"),
        ["empty"] = (false, ""),
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void EverySplittingYieldsTheWholeFileLineNumbers(string name)
    {
        var path = Write(name);
        var expected = ExpectedLines(FileContents[name].Text);
        var source = new TextFileSource(path);
        foreach (var parallelism in new[] { 1, 2, 3, 4, 5, 7, 16 })
        {
            var splits = source.CreateSplits(parallelism);
            Assert.True(splits.Count <= parallelism, $"{splits.Count} splits for parallelism {parallelism}");
            // Each split in its own reader, as when each subtask gets one split.
            var lines = splits.SelectMany(split => Read(source, [split])).ToList();
            Assert.Equal(expected, lines.Select(l => (l.LineNumber, l.Text)).OrderBy(l => l.LineNumber));
            // All splits in one reader, in reverse order, as when one fast subtask pulls several.
            var reused = Read(source, splits.Reverse().ToList());
            Assert.Equal(expected, reused.Select(l => (l.LineNumber, l.Text)).OrderBy(l => l.LineNumber));
            Assert.All(lines, l => Assert.Equal(path, l.Path));
        }
    }

    [Theory]
    [InlineData("lf", 1)]
    [InlineData("lf", 3)]
    [InlineData("crlf", 5)]
    [InlineData("bom-crlf-no-trailing-newline", 2)]
    [InlineData("empty-lines", 4)]
    [InlineData("empty", 2)]
    public async Task JobReadsEveryLineOnceWithItsNumber(string name, int parallelism)
    {
        var path = Write(name);
        var env = TestJobs.Env(parallelism);
        var lines = await TestJobs.CollectAsync(env.ReadTextLines(path));
        Assert.Equal(ExpectedLines(FileContents[name].Text), lines.Select(l => (l.LineNumber, l.Text)).OrderBy(l => l.LineNumber));
        Assert.All(lines, l => Assert.Equal($"{path}:{l.LineNumber}", l.Location));
    }

    [Fact]
    public async Task ReadTextFileReturnsTheText()
    {
        var path = Write("crlf");
        var env = TestJobs.Env(2);
        var lines = await TestJobs.CollectAsync(env.ReadTextFile(path));
        Assert.Equal(ExpectedLines(FileContents["crlf"].Text).Select(l => l.Text).Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MissingFileIsReportedWithItsPath()
    {
        var path = Path.Combine(_directory, "missing.txt");
        var error = Assert.Throws<FileNotFoundException>(() => new TextFileSource(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private string Write(string name)
    {
        var (bom, text) = FileContents[name];
        var path = Path.Combine(_directory, name + ".txt");
        File.WriteAllBytes(path, [.. bom ? Bom : [], .. Encoding.UTF8.GetBytes(text)]);
        return path;
    }

    /// <summary>The lines of a text as a reader of '\n'-terminated lines sees them: a final newline ends the last line, "\r\n" counts as '\n'.</summary>
    private static List<(long LineNumber, string Text)> ExpectedLines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var lines = text.Split('\n').ToList();
        if (text.EndsWith('\n'))
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines.Select((line, i) => ((long)i + 1, line.EndsWith('\r') ? line[..^1] : line)).ToList();
    }

    private static List<TextLine> Read(TextFileSource source, IReadOnlyList<FileSplit> splits)
    {
        var context = new ReaderContext();
        var output = new ListOutput<TextLine>();
        using var reader = source.CreateReader(context);
        reader.Start();
        reader.AddSplits(splits);
        reader.NotifyNoMoreSplits();
        for (var polls = 0; reader.PollNext(output) != InputStatus.EndOfInput; polls++)
        {
            Assert.True(polls < 1_000_000, "reader never reached the end of input");
        }

        return output.Records;
    }
}

internal sealed class ReaderContext(int subtask = 0, int parallelism = 1) : ISourceReaderContext
{
    public int IndexOfSubtask => subtask;

    public int NumberOfParallelSubtasks => parallelism;

    public IProcessingTimeService ProcessingTime => SystemProcessingTimeService.Instance;

    public int SplitRequests { get; private set; }

    public void SendSplitRequest() => SplitRequests++;
}

internal sealed class ListOutput<T> : IReaderOutput<T>
{
    public List<T> Records { get; } = [];

    public void Collect(T record) => Records.Add(record);

    public void Collect(T record, long timestamp) => Records.Add(record);
}
