using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Rill.Cluster.Tests;

/// <summary>
/// Reactive mode with real processes, the way Kubernetes would drive it: a --follow ClickCounts job starts on one
/// TaskManager and rescales as TaskManager processes start (2 → 4 → 6) and as one gets SIGTERM (6 → 4; it exits 0),
/// while clicks keep being appended to its input; every closed window is committed exactly once with its right count.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class ReactiveModeProcessTests(ITestOutputHelper log)
{
    private const int Users = 20;
    private const long MillisPerClick = 50;

    [Fact]
    public async Task A_reactive_job_rescales_2_4_6_4_as_TaskManagers_join_and_one_gets_SIGTERM_and_commits_every_closed_window_exactly_once()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(150));
        var input = harness.PathOf("clicks.csv");
        var output = harness.PathOf("out");
        var appender = new ClickAppender(input);
        appender.Append(2_000);
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        string[] job = ["--input", input, "--follow", "--output", output, "--checkpointing", "500", "--checkpoint-dir", harness.PathOf("checkpoints"),
            "--scheduler-mode", "reactive", "--resource-stabilization-timeout", "1", "--min-rescale-interval", "0"];
        var jobManager = harness.Start("jobmanager", Programs.ClickCounts, [.. job, "--role", "jobmanager", "--slots", "0", "--rest-port", port]);
        var rest = await harness.WaitForRestAddressAsync(jobManager, TimeSpan.FromSeconds(30));
        ClusterProcess StartTaskManager(int i) =>
            harness.Start($"taskmanager-{i}", Programs.ClickCounts, [.. job, "--role", "taskmanager", "--jobmanager", $"http://127.0.0.1:{port}", "--slots", "2"]);

        using var appending = new CancellationTokenSource();
        var feeding = Task.Run(async () =>
        {
            while (!appending.IsCancellationRequested)
            {
                appender.Append(100);
                await Task.Delay(100, CancellationToken.None);
            }
        });

        StartTaskManager(1);
        var jobId = await WaitForParallelismAsync(harness, rest, null, 2);
        StartTaskManager(2);
        await WaitForParallelismAsync(harness, rest, jobId, 4);
        var third = StartTaskManager(3);
        await WaitForParallelismAsync(harness, rest, jobId, 6);
        var leaving = harness.Processes.Single(p => p.Name == "taskmanager-2");
        leaving.Signal("TERM");
        harness.Note("SIGTERM to taskmanager-2");
        await WaitForParallelismAsync(harness, rest, jobId, 4);
        harness.Check(await leaving.WaitForExitAsync(TimeSpan.FromSeconds(30), harness.Deadline), "taskmanager-2 did not exit within 30 s of SIGTERM.");
        harness.Check(leaving.ExitCode == 0, $"taskmanager-2 exited with {leaving.ExitCode} after SIGTERM, expected 0.");
        harness.Check(!third.HasExited, "taskmanager-3 should still run.");

        await Task.Delay(TimeSpan.FromSeconds(2));
        await appending.CancelAsync();
        await feeding;
        var lastTimestamp = appender.LastTimestamp;
        var expected = appender.ClosedWindowCounts(lastTimestamp - 5_000);
        harness.Check(expected.Count > Users * 5, $"Only {expected.Count} windows closed: the test appended too little.");
        await harness.WaitUntilAsync("every closed window is committed", TimeSpan.FromSeconds(40),
            () => expected.Keys.All(Committed(output).Contains), lastSeen: () => $"{expected.Keys.Count(k => !Committed(output).Contains(k))} of {expected.Count} missing");

        var committed = ResultFiles.ReadSortedLines(output);
        var closed = committed.Where(l => long.Parse(l.Split(',')[1], CultureInfo.InvariantCulture) <= lastTimestamp - 5_000).ToList();
        harness.Check(closed.Count == closed.Distinct().Count(), "A closed window was committed twice.");
        var wrong = closed.Where(l => !expected.ContainsKey(l)).Take(5).ToList();
        harness.Check(wrong.Count == 0, $"Committed windows with a wrong count (or that should not exist): {string.Join("; ", wrong)}");
        harness.Check(closed.Count == expected.Count, $"{closed.Count} closed windows committed, {expected.Count} expected.");

        var details = await harness.GetJsonAsync(rest, $"/jobs/{jobId}");
        var rescales = details.GetProperty("rescales").EnumerateArray()
            .Select(r => (From: r.GetProperty("from").GetInt32(), To: r.GetProperty("to").GetInt32(), Cause: r.GetProperty("cause").GetString()!)).ToList();
        harness.Check(rescales.Select(r => (r.From, r.To)).SequenceEqual([(2, 4), (4, 6), (6, 4)]),
            $"Rescale history {string.Join("; ", rescales)}, expected 2→4, 4→6, 6→4.");
        harness.Check(rescales[0].Cause.Contains("TaskManager added", StringComparison.Ordinal) && rescales[2].Cause.Contains("leaving", StringComparison.Ordinal),
            $"Causes: {string.Join("; ", rescales.Select(r => r.Cause))}");
        log.WriteLine(string.Join("\n", rescales.Select(r => $"{r.From} -> {r.To}: {r.Cause}")));
        log.WriteLine(harness.Diagnostics());
    }

    private static HashSet<string> Committed(string output) => Directory.Exists(output) ? [.. ResultFiles.ReadSortedLines(output)] : [];

    /// <summary>Waits until the job runs at that parallelism with every subtask RUNNING; returns the job id.</summary>
    private static async Task<string> WaitForParallelismAsync(ClusterHarness harness, Uri rest, string? jobId, int parallelism)
    {
        var id = jobId;
        var seen = "";
        await harness.WaitUntilAsync($"the job runs at parallelism {parallelism}", TimeSpan.FromSeconds(45), async () =>
        {
            id ??= (await harness.GetJsonAsync(rest, "/jobs")).GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()).FirstOrDefault();
            if (id is null)
            {
                return false;
            }

            var details = await harness.GetJsonAsync(rest, $"/jobs/{id}");
            var running = details.GetProperty("vertices").EnumerateArray()
                .SelectMany(v => v.GetProperty("subtasks").EnumerateArray())
                .All(s => s.GetProperty("status").GetString() is "RUNNING" or "FINISHED");
            seen = $"{details.GetProperty("state").GetString()} at {details.GetProperty("parallelism").GetInt32()}";
            return details.GetProperty("state").GetString() == "RUNNING" && details.GetProperty("parallelism").GetInt32() == parallelism && running;
        }, lastSeen: () => seen);
        harness.Note($"the job runs at parallelism {parallelism}");
        return id!;
    }

    /// <summary>Appends clicks with increasing timestamps (whole lines at once, as a log writer would) and knows every window's count.</summary>
    private sealed class ClickAppender(string path)
    {
        private readonly Dictionary<(long Start, int User), int> _counts = [];
        private long _next;

        public long LastTimestamp { get; private set; }

        public void Append(int clicks)
        {
            var text = new StringBuilder();
            for (var i = 0; i < clicks; i++, _next++)
            {
                var timestamp = _next * MillisPerClick;
                var user = (int)(_next % Users);
                text.Append(CultureInfo.InvariantCulture, $"{timestamp},{user},/page/{_next % 7}\n");
                var start = timestamp - (timestamp % 60_000);
                _counts[(start, user)] = _counts.GetValueOrDefault((start, user)) + 1;
                LastTimestamp = timestamp;
            }

            File.AppendAllText(path, text.ToString());
        }

        /// <summary>The output lines of every window that ends at or before <paramref name="end"/>.</summary>
        public Dictionary<string, int> ClosedWindowCounts(long end) => _counts
            .Where(c => c.Key.Start + 60_000 <= end)
            .ToDictionary(c => $"{c.Key.Start},{c.Key.Start + 60_000},{c.Key.User},{c.Value}", c => c.Value);
    }
}
