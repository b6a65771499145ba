using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Rill.Cluster.Tests;

/// <summary>
/// One OS process of a cluster: <c>dotnet X.dll args</c>, started as an orchestrator starts it. Its stdout and stderr go
/// straight to files (the process writes them itself, through <c>sh -c 'exec …'</c>, so the pid is the dotnet process's
/// own and nothing depends on this test host draining a pipe). Signals (SIGKILL, SIGSTOP, SIGCONT) go to exactly this
/// process.
/// </summary>
internal sealed class ClusterProcess : IDisposable
{
    /// <summary>Every process still running, killed if the test host itself shuts down mid-test (Ctrl+C, a hang timeout).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ClusterProcess, byte> Live = new();

    static ClusterProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Live.Keys)
        {
            process.EnsureStopped(TimeSpan.FromSeconds(5));
        }
    };

    private readonly Process _process;
    private readonly Stopwatch _clock;
    private long _exitedAtMs = -1;

    private ClusterProcess(string name, string program, IReadOnlyList<string> args, string logDirectory, string tempDirectory, Stopwatch clock,
        IReadOnlyDictionary<string, string>? environment)
    {
        Name = name;
        _clock = clock;
        CommandLine = $"dotnet {program}.dll {string.Join(' ', args)}";
        StandardOutputPath = Path.Combine(logDirectory, name + ".out");
        StandardErrorPath = Path.Combine(logDirectory, name + ".err");
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // $1 and $2 are the log files; the rest is the command, exec'd so it keeps the shell's pid.
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("exec >\"$1\" 2>\"$2\" </dev/null; shift 2; exec \"$@\"");
        startInfo.ArgumentList.Add("sh");
        startInfo.ArgumentList.Add(StandardOutputPath);
        startInfo.ArgumentList.Add(StandardErrorPath);
        startInfo.ArgumentList.Add(Programs.DotnetHost());
        startInfo.ArgumentList.Add(Programs.AssemblyPath(program));
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // The developer's own settings must not change what a test's command line means (RILL_PARALLELISM,
        // RILL_CLUSTER, RILL_ROLE, RILL_JOBMANAGER, …).
        foreach (var variable in startInfo.Environment.Keys.Where(k => k.StartsWith("RILL_", StringComparison.Ordinal)).ToList())
        {
            startInfo.Environment.Remove(variable);
        }

        // Whatever the processes keep in the temp directory (uploads, downloaded applications) goes with the test.
        startInfo.Environment["TMPDIR"] = tempDirectory;
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[variable] = value;
        }

        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.Exited += (_, _) => Interlocked.CompareExchange(ref _exitedAtMs, _clock.ElapsedMilliseconds, -1);
        if (!_process.Start())
        {
            throw new InvalidOperationException($"Could not start {CommandLine}.");
        }

        Id = _process.Id;
        Live.TryAdd(this, 0);
    }

    public string Name { get; }

    public string CommandLine { get; }

    public int Id { get; }

    public string StandardOutputPath { get; }

    public string StandardErrorPath { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>When the process exited, on the test's clock; null while it runs.</summary>
    public TimeSpan? ExitedAt
    {
        get
        {
            if (!_process.HasExited)
            {
                return null;
            }

            var ms = Interlocked.Read(ref _exitedAtMs);
            return ms < 0 ? _clock.Elapsed : TimeSpan.FromMilliseconds(ms);
        }
    }

    /// <summary>Set when the test sent SIGKILL itself, so diagnostics do not mistake it for a crash.</summary>
    public bool KilledByTest { get; private set; }

    /// <param name="environment">Variables set for this process on top of the test host's (less its RILL_ ones).</param>
    public static ClusterProcess Start(string name, string program, IReadOnlyList<string> args, string logDirectory, string tempDirectory, Stopwatch clock,
        IReadOnlyDictionary<string, string>? environment = null) =>
        new(name, program, args, logDirectory, tempDirectory, clock, environment);

    public string StandardError => ReadShared(StandardErrorPath);

    public string StandardOutput => ReadShared(StandardOutputPath);

    public IReadOnlyList<string> ErrorLines => Lines(StandardError);

    public IReadOnlyList<string> OutputLines => Lines(StandardOutput);

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Linux): no chance to close anything cleanly.</summary>
    public void KillHard()
    {
        KilledByTest = true;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }
    }

    /// <summary>Sends a POSIX signal by name (STOP, CONT, TERM), as an operator's <c>kill -NAME pid</c> does.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill.");
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {Id} ({Name}) failed with exit code {kill.ExitCode}.");
    }

    /// <summary>Waits for the exit; false if <paramref name="timeout"/> passed or <paramref name="cancellation"/> fired first (the process keeps running).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        using var within = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        within.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(within.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>What this process said last, for assertion messages.</summary>
    public string Tail(int errorLines = 40, int outputLines = 10)
    {
        var state = _process.HasExited
            ? $"exited with {_process.ExitCode} at {ExitedAt?.TotalSeconds:0.0} s{(KilledByTest ? " (killed by the test)" : "")}"
            : "still running";
        var text = new StringBuilder($"--- {Name} (pid {Id}, {state}): {CommandLine}\n");
        text.Append(CultureInfo.InvariantCulture, $"  stderr ({StandardErrorPath}), last {errorLines} lines:\n");
        foreach (var line in ErrorLines.TakeLast(errorLines))
        {
            text.Append("    ").Append(line.Length > 600 ? line[..600] + " …" : line).Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"  stdout, last {outputLines} lines:\n");
        foreach (var line in OutputLines.TakeLast(outputLines))
        {
            text.Append("    ").Append(line.Length > 600 ? line[..600] + " …" : line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Kills the process tree (also a stopped one: SIGKILL needs no SIGCONT) and reaps it.</summary>
    public bool EnsureStopped(TimeSpan timeout)
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            return _process.WaitForExit(timeout);
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        Live.TryRemove(this, out _);
        _process.Dispose();
    }

    private static IReadOnlyList<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToArray();

    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
        catch (DirectoryNotFoundException)
        {
            return "";
        }
    }
}
