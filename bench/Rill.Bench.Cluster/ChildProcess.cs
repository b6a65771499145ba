using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Rill.Bench.Cluster;

/// <summary>One output line of a child process, stamped when the harness received it.</summary>
internal sealed record OutputLine(DateTime ReceivedUtc, bool StandardError, string Text);

/// <summary>
/// A job process started by the harness (<c>dotnet Rill.Bench.Cluster.dll job …</c>): output captured line by line
/// with arrival times and copied to a log file. Every child is killed (with its process tree) when the harness ends,
/// however it ends, so no run leaves processes behind.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private static readonly ConcurrentDictionary<int, ChildProcess> Live = new();
    private readonly Process _process;
    private readonly List<OutputLine> _lines = [];
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _logClosed;

    private event Action<OutputLine>? LineReceived;

    static ChildProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) => KillAll();
    }

    private ChildProcess(string name, Process process, string logPath)
    {
        Name = name;
        _process = process;
        _log = new StreamWriter(logPath) { AutoFlush = true };
        LogPath = logPath;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Id => _process.Id;

    public DateTime StartedUtc { get; private set; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ChildProcess Start(string name, IReadOnlyList<string> arguments, string logDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The deployment comes from the arguments only: RILL_* variables of the caller's shell must not change a run.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("RILL_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, Path.Combine(logDirectory, name + ".log"));
        child._log.WriteLine($"# dotnet {string.Join(' ', info.ArgumentList)}");
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, standardError: false);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, standardError: true);
        child.StartedUtc = DateTime.UtcNow;
        process.Start();
        Live[process.Id] = child;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void OnLine(string? text, bool standardError)
    {
        if (text is null)
        {
            (standardError ? _errorClosed : _outputClosed).TrySetResult();
            return;
        }

        var line = new OutputLine(DateTime.UtcNow, standardError, text);
        Action<OutputLine>? handlers;
        lock (_lines)
        {
            _lines.Add(line);
            handlers = LineReceived;
        }

        lock (_log)
        {
            if (!_logClosed)
            {
                _log.WriteLine($"{line.ReceivedUtc:HH:mm:ss.fff} {(standardError ? "err" : "out")} {text}");
            }
        }

        handlers?.Invoke(line);
    }

    public IReadOnlyList<OutputLine> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The first line (already received or still to come) that matches.</summary>
    public async Task<OutputLine> WaitForLineAsync(Func<OutputLine, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<OutputLine>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(OutputLine line)
        {
            if (match(line))
            {
                found.TrySetResult(line);
            }
        }

        lock (_lines)
        {
            if (_lines.FirstOrDefault(match) is { } existing)
            {
                return existing;
            }

            LineReceived += Handler;
        }

        try
        {
            var exited = _process.WaitForExitAsync();
            var first = await Task.WhenAny(found.Task, exited, Task.Delay(timeout)).ConfigureAwait(false);
            if (first == found.Task)
            {
                return await found.Task.ConfigureAwait(false);
            }

            await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            return found.Task.IsCompleted
                ? await found.Task.ConfigureAwait(false)
                : throw new TimeoutException(first == exited
                    ? $"{Name} exited (code {_process.ExitCode}) before the expected line; see {LogPath}."
                    : $"{Name}: no expected line within {timeout.TotalSeconds:0} s; see {LogPath}.");
        }
        finally
        {
            lock (_lines)
            {
                LineReceived -= Handler;
            }
        }
    }

    /// <summary>Waits for the exit and the end of its output; kills the process and throws after the timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
            await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds:0} s (killed); see {LogPath}.");
        }

        Live.TryRemove(_process.Id, out _);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL this process only (a TaskManager crash); returns the wall-clock time just before the signal.</summary>
    public DateTime KillHard()
    {
        var at = DateTime.UtcNow;
        _process.Kill(entireProcessTree: false);
        return at;
    }

    /// <summary>The report line the job program prints when its job ended.</summary>
    public JobReport? Report => Lines.Where(l => !l.StandardError && l.Text.StartsWith(JobProgram.Marker, StringComparison.Ordinal))
        .Select(l => JsonSerializer.Deserialize<JobReport>(l.Text[JobProgram.Marker.Length..]))
        .FirstOrDefault();

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
    }

    private static void KillAll()
    {
        foreach (var child in Live.Values)
        {
            child.Kill();
        }
    }

    public void Dispose()
    {
        Kill();
        Live.TryRemove(Id, out _);
        _process.Dispose();
        lock (_log)
        {
            _logClosed = true;
            _log.Dispose();
        }
    }
}
