using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace Rill.Cluster.Tests;

/// <summary>
/// One test's cluster: its temp directory (logs, inputs, outputs, the processes' TMPDIR), the processes it started and a
/// deadline for the whole test. Every wait honours the deadline and ends in a failure that shows what each process said
/// last; disposing kills every process tree that is still running (also stopped ones) and deletes the directory, so a
/// failed or hung test leaves nothing behind.
/// </summary>
internal sealed partial class ClusterHarness : IAsyncDisposable
{
    private readonly List<ClusterProcess> _processes = [];
    private readonly CancellationTokenSource _deadline;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _events = [];

    public ClusterHarness(TimeSpan testTimeout)
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Logs);
        Directory.CreateDirectory(Temp);
        _deadline = new CancellationTokenSource(testTimeout);
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Short, so the .NET diagnostics sockets under TMPDIR stay within the 108-character limit.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "rill-ct-" + Guid.NewGuid().ToString("N")[..12]);

    public string Logs => Path.Combine(Root, "logs");

    public string Temp => Path.Combine(Root, "tmp");

    /// <summary>Fires when the test has run out of time: every wait ends then.</summary>
    public CancellationToken Deadline => _deadline.Token;

    public HttpClient Http { get; }

    public TimeSpan Elapsed => _clock.Elapsed;

    public IReadOnlyList<ClusterProcess> Processes => _processes;

    public string PathOf(string name) => Path.Combine(Root, name);

    public ClusterProcess Start(string name, string program, params string[] args) => StartWithEnvironment(name, program, null, args);

    /// <summary>Starts a process with extra environment variables (what an orchestrator sets, e.g. ASPNETCORE_ENVIRONMENT).</summary>
    public ClusterProcess StartWithEnvironment(string name, string program, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var process = ClusterProcess.Start(name, program, args, Logs, Temp, _clock, environment);
        _processes.Add(process);
        Note($"started {name} (pid {process.Id}): {process.CommandLine}");
        return process;
    }

    /// <summary>A line for the failure report: what the test did when (the processes' logs have no timestamps).</summary>
    public void Note(string what)
    {
        lock (_events)
        {
            _events.Add(string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds,7:0.00} s  {what}"));
        }
    }

    /// <summary>Everything a failure message needs: the test's own timeline and each process's last words.</summary>
    public string Diagnostics()
    {
        var text = new StringBuilder("\n=== test timeline ===\n");
        lock (_events)
        {
            foreach (var e in _events)
            {
                text.Append(e).Append('\n');
            }
        }

        text.Append("=== processes ===\n");
        foreach (var process in _processes)
        {
            text.Append(process.Tail());
        }

        return text.ToString();
    }

    public void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new XunitException(what + Diagnostics());
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void Fail(string what) => throw new XunitException(what + Diagnostics());

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; fails (with every process's log tail) after <paramref name="within"/>
    /// or at the test's deadline. A condition that throws counts as "not yet" (a REST endpoint not up yet).
    /// </summary>
    public async Task<TimeSpan> WaitUntilAsync(string what, TimeSpan within, Func<Task<bool>> condition, TimeSpan? poll = null, Func<string>? lastSeen = null)
    {
        var started = _clock.Elapsed;
        var until = started + within;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return _clock.Elapsed - started;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or KeyNotFoundException or IOException)
            {
                last = e;
            }

            if (_clock.Elapsed > until || Deadline.IsCancellationRequested)
            {
                var why = Deadline.IsCancellationRequested ? "the test's deadline passed" : $"not within {within.TotalSeconds:0} s";
                Fail($"Timed out waiting until {what} ({why}).{(last is null ? "" : $" Last error: {last.GetType().Name}: {last.Message}")}{(lastSeen is null ? "" : $"\nLast seen: {lastSeen()}")}");
            }

            try
            {
                await Task.Delay(poll ?? TimeSpan.FromMilliseconds(200), Deadline);
            }
            catch (OperationCanceledException)
            {
                // checked above on the next round
            }
        }
    }

    public Task<TimeSpan> WaitUntilAsync(string what, TimeSpan within, Func<bool> condition, TimeSpan? poll = null, Func<string>? lastSeen = null) =>
        WaitUntilAsync(what, within, () => Task.FromResult(condition()), poll, lastSeen);

    /// <summary>Waits for a stderr line matching <paramref name="pattern"/> and returns its match.</summary>
    public async Task<Match> WaitForLogAsync(ClusterProcess process, Regex pattern, TimeSpan within)
    {
        Match? found = null;
        await WaitUntilAsync($"{process.Name} logs /{pattern}/", within, () =>
        {
            found = process.ErrorLines.Select(line => pattern.Match(line)).FirstOrDefault(m => m.Success);
            return found is not null;
        }, TimeSpan.FromMilliseconds(100));
        return found!;
    }

    /// <summary>Waits for each process to exit with code 0 (a process that does not exit in time is a failure, not a hang).</summary>
    public async Task ExpectExitZeroAsync(IEnumerable<ClusterProcess> processes, TimeSpan within)
    {
        var list = processes.ToList();
        var started = _clock.Elapsed;
        foreach (var process in list)
        {
            var left = within - (_clock.Elapsed - started);
            if (!await process.WaitForExitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, Deadline))
            {
                var why = Deadline.IsCancellationRequested ? "before the test's deadline" : $"within {within.TotalSeconds:0} s";
                Fail($"{process.Name} did not exit {why} (expected exit code 0 once the job ended).");
            }

            Note($"{process.Name} exited with {process.ExitCode}");
        }

        foreach (var process in list)
        {
            Check(process.ExitCode == 0, $"{process.Name} exited with {process.ExitCode}, expected 0.");
        }
    }

    /// <summary>GET a JSON document; throws on a non-success status (retried by <see cref="WaitUntilAsync(string, TimeSpan, Func{Task{bool}}, TimeSpan?)"/>).</summary>
    public async Task<JsonElement> GetJsonAsync(Uri baseAddress, string path)
    {
        using var response = await Http.GetAsync(new Uri(baseAddress, path), Deadline);
        var body = await response.Content.ReadAsStringAsync(Deadline);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<JsonElement> PostJsonAsync(Uri baseAddress, string path, object body)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(baseAddress, path), body, Deadline);
        var text = await response.Content.ReadAsStringAsync(Deadline);
        Check(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The REST address a JobManager prints on stderr: <c>Rill JobManager: REST API at http://…/, RPC at …</c>.</summary>
    public async Task<Uri> WaitForRestAddressAsync(ClusterProcess jobManager, TimeSpan within) =>
        new((await WaitForLogAsync(jobManager, RestAddressLine(), within)).Groups["rest"].Value);

    [GeneratedRegex(@"Rill JobManager: REST API at (?<rest>http://\S+?/?),\s+RPC at")]
    public static partial Regex RestAddressLine();

    public async ValueTask DisposeAsync()
    {
        var leftRunning = new List<string>();
        foreach (var process in _processes)
        {
            if (!process.EnsureStopped(TimeSpan.FromSeconds(15)))
            {
                leftRunning.Add($"{process.Name} (pid {process.Id})");
            }

            process.Dispose();
        }

        Http.Dispose();
        _deadline.Dispose();
        await Task.Yield();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a process that was just killed may still hold a file for a moment; the OS cleans the temp directory eventually
        }

        if (leftRunning.Count > 0)
        {
            throw new InvalidOperationException($"Could not stop {string.Join(", ", leftRunning)}.");
        }
    }
}
