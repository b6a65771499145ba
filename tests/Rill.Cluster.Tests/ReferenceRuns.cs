using System.Collections.Concurrent;
using System.Diagnostics;

namespace Rill.Cluster.Tests;

/// <summary>An embedded run's sorted result lines and what it printed on stderr (ClickCounts: <c>late: N</c>).</summary>
internal sealed record ReferenceRun(IReadOnlyList<string> Lines, string StandardError);

/// <summary>
/// What every cluster run must reproduce: the input files the tests share and the output of the same program run
/// embedded (one process, no cluster options), computed once per program and arguments.
/// </summary>
public sealed class ReferenceRuns : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ReferenceRun>>> _runs = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rill-ct-ref-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Lazy<string> _checkpointedClicks;

    public ReferenceRuns()
    {
        Directory.CreateDirectory(_root);
        WordCountInput = Path.Combine(_root, "words.txt");
        File.WriteAllText(WordCountInput, string.Concat(Text.Lines(WordCountLines, seed: 2024).Select(line => line + "\n")));
        _checkpointedClicks = new Lazy<string>(() =>
        {
            var path = Path.Combine(_root, "clicks-2m.csv");
            CheckpointedClickInput.Write(path);
            return path;
        });
    }

    /// <summary>The large ClickCounts input of the checkpoint tests (<see cref="CheckpointedClickInput"/>), written on first use.</summary>
    public string CheckpointedClicksInput => _checkpointedClicks.Value;

    /// <summary>Lines of <see cref="WordCountInput"/>: with <c>--lines-per-second R</c> at parallelism 4 a job takes about Lines / (4 R) s.</summary>
    public const int WordCountLines = 3000;

    /// <summary>A text file for WordCount (mixed case, accents, several scripts, so results are more than ASCII).</summary>
    public string WordCountInput { get; }

    /// <summary>The sorted result lines (and stderr) of <c>dotnet PROGRAM.dll ARGS --output DIR</c> run embedded.</summary>
    internal Task<ReferenceRun> EmbeddedAsync(string program, params string[] args) =>
        _runs.GetOrAdd(program + "\0" + string.Join('\0', args), _ => new Lazy<Task<ReferenceRun>>(() => RunAsync(program, args))).Value;

    private async Task<ReferenceRun> RunAsync(string program, string[] args)
    {
        var output = Path.Combine(_root, "embedded-" + Guid.NewGuid().ToString("N")[..8]);
        var startInfo = new ProcessStartInfo(Programs.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Programs.AssemblyPath(program));
        foreach (var arg in args.Concat(["--output", output]))
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var variable in startInfo.Environment.Keys.Where(k => k.StartsWith("RILL_", StringComparison.Ordinal)).ToList())
        {
            startInfo.Environment.Remove(variable);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The embedded reference run {program} {string.Join(' ', args)} did not end within 60 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The embedded reference run {program} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }

        var lines = ResultFiles.ReadSortedLines(output);
        if (lines.Count == 0)
        {
            throw new InvalidOperationException($"The embedded reference run {program} {string.Join(' ', args)} wrote no results.");
        }

        return new ReferenceRun(lines, await stderr);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static class Text
    {
        private static readonly string[] Words =
        [
            "stream", "Stream", "STREAM", "batch", "window", "Watermark", "key", "state", "Straße", "Ärger", "naïve", "Café",
            "Σίσυφος", "жук", "Жук", "日本語", "テスト", "abc123", "2024", "İstanbul", "rill", "Rill", "flink", "slot", "checkpoint",
            "barrier", "task", "manager", "job", "leader", "fencing", "token", "redis", "lease", "term", "heartbeat",
        ];

        private static readonly string[] Separators = [" ", "  ", ", ", ". ", "--", "\t", "; ", "!", "?"];

        public static IEnumerable<string> Lines(int count, int seed)
        {
            var random = new Random(seed);
            for (var i = 0; i < count; i++)
            {
                yield return string.Concat(Enumerable.Range(0, random.Next(1, 14)).Select(_ => Words[random.Next(Words.Length)] + Separators[random.Next(Separators.Length)]))
                    + $"line{i % 97}";
            }
        }
    }
}
