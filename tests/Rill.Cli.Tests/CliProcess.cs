using System.Diagnostics;

namespace Rill.Cli.Tests;

/// <summary>
/// One OS process of a program (<c>dotnet rill.dll ...</c>), started as users start it, with stdout and stderr drained
/// concurrently (a chatty process never blocks on a full pipe). Disposing kills the whole process tree, so a failed
/// test never leaves a JobManager behind holding a port.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private CliProcess(string program, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        CommandLine = $"{program} {string.Join(' ', args)}";
        var startInfo = new ProcessStartInfo(Programs.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Programs.AssemblyPath(program));
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // The developer's own settings must not change what a test's command line means.
        foreach (var name in new[] { "RILL_JOBMANAGER", "RILL_AUTH_TOKEN", "RILL_PARALLELISM", "RILL_DEBUG" })
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        _process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {CommandLine}.");
        _process.StandardInput.Close(); // no test types at a prompt: a read must see end of input, not hang
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public string CommandLine { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static CliProcess Start(string program, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        new(program, args, environment);

    /// <summary>Starts <c>rill</c> with the given arguments.</summary>
    public static CliProcess StartRill(params string[] args) => Start(Programs.Rill, args);

    /// <summary>Runs <c>rill</c> to its end (a hang fails the test after <paramref name="timeout"/>).</summary>
    public static Task<CliRun> RunRillAsync(params string[] args) => RunAsync(Programs.Rill, args);

    public static async Task<CliRun> RunAsync(string program, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var process = Start(program, args, environment);
        return await process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>Sends a POSIX signal, as an orchestrator or a terminal would.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill.");
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {Id} failed with exit code {kill.ExitCode}.");
    }

    /// <summary>
    /// Ends the process as an orchestrator would: SIGTERM, then a kill if it is still there after the grace period.
    /// A graceful stop lets a JobManager or TaskManager remove its temporary folders; a kill would leave them behind.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            kill?.WaitForExit(); // failing only if the process has exited meanwhile
        }

        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public async Task<CliRun> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{CommandLine} did not exit within {timeout.TotalSeconds} s.\n{await OutputSoFarAsync()}");
        }

        return new CliRun(_process.ExitCode, await _stdout, await _stderr);
    }

    /// <summary>For assertion messages about a process that is still running: kills it and returns what it said.</summary>
    public async Task<string> OutputSoFarAsync()
    {
        Kill();
        var stdout = await _stdout.WaitAsync(TimeSpan.FromSeconds(10));
        var stderr = await _stderr.WaitAsync(TimeSpan.FromSeconds(10));
        return $"--- {CommandLine} stdout ---\n{stdout}\n--- stderr ---\n{stderr}";
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}

/// <summary>What one finished process left behind.</summary>
internal sealed record CliRun(int ExitCode, string StandardOutput, string StandardError)
{
    public IReadOnlyList<string> OutputLines => Lines(StandardOutput);

    public IReadOnlyList<string> ErrorLines => Lines(StandardError);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToArray();

    /// <summary>For assertion messages: everything the process said.</summary>
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}
