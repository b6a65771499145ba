using System.Globalization;
using Rill.Runtime.Messages;
using Rill.Runtime.MiniCluster;

namespace Rill.Bench.Checkpointing;

/// <summary>The checkpointing bench's own figures; medians, rates and the load come from <see cref="Rill.Bench.Shared.BenchStats"/>.</summary>
public static class CheckpointFigures
{
    public static string Mb(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    /// <summary>"median / max" of a duration list, in ms.</summary>
    public static string MedianMax(IReadOnlyCollection<long> values) =>
        values.Count == 0 ? "-" : $"{Rill.Bench.Shared.BenchStats.Median(values.Select(v => (double)v)):0} / {values.Max()}";
}

/// <summary>
/// Polls a job's details and keeps every checkpoint the history ever showed (the history holds the last 10 only).
/// </summary>
public sealed class CheckpointWatcher
{
    private readonly Dictionary<long, CheckpointStatsEntry> _entries = [];

    public JobDetails? Latest { get; private set; }

    public IReadOnlyList<CheckpointStatsEntry> Completed =>
        _entries.Values.Where(e => e.Status == CheckpointStatus.Completed).OrderBy(e => e.Id).ToList();

    public IReadOnlyList<CheckpointStatsEntry> Failed =>
        _entries.Values.Where(e => e.Status == CheckpointStatus.Failed).OrderBy(e => e.Id).ToList();

    public async Task<JobDetails> PollAsync(MiniCluster cluster, Guid jobId)
    {
        var details = await cluster.Dispatcher.RequestJobDetailsAsync(jobId) ?? throw new InvalidOperationException($"Job {jobId} is unknown.");
        Latest = details;
        if (details.Checkpoints is { } checkpoints)
        {
            foreach (var entry in checkpoints.History.Concat(new[] { checkpoints.LatestCompleted, checkpoints.LatestSavepoint, checkpoints.LatestFailed }.OfType<CheckpointStatsEntry>()))
            {
                if (entry.Status != CheckpointStatus.InProgress)
                {
                    _entries[entry.Id] = entry;
                }
            }
        }

        return details;
    }

    public static bool AllRunning(JobDetails details) =>
        details.Status == JobStatus.Running && details.Vertices.SelectMany(v => v.Subtasks).All(s => s.State == ExecutionState.Running);

    /// <summary>Polls until <paramref name="condition"/> holds; throws with the last details after <paramref name="timeout"/>.</summary>
    public async Task<JobDetails> WaitForAsync(MiniCluster cluster, Guid jobId, Func<JobDetails, bool> condition, TimeSpan timeout, string what, int pollMs = 20)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var details = await PollAsync(cluster, jobId);
            if (condition(details))
            {
                return details;
            }

            if (details.Status.IsGloballyTerminal() || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Waited {timeout.TotalSeconds:0} s for {what}; job is {details.Status}, "
                    + $"exceptions: {string.Join(" | ", details.Exceptions.Select(e => e.Message))}, "
                    + $"checkpoints failed: {details.Checkpoints?.Failed} ({details.Checkpoints?.LatestFailed?.FailureMessage})");
            }

            await Task.Delay(pollMs);
        }
    }
}

/// <summary>Samples the process's CPU time every few milliseconds, to tell how much CPU a stretch of wall-clock time used.</summary>
public sealed class CpuSampler : IAsyncDisposable
{
    private readonly List<(long Ticks, double Cpu, double Machine)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public CpuSampler(int intervalMs = 5)
    {
        _loop = Task.Factory.StartNew(() =>
        {
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            while (!_stop.IsCancellationRequested)
            {
                process.Refresh();
                var sample = (Probe.Now, process.TotalProcessorTime.TotalSeconds, MachineCpu.BusySeconds());
                lock (_samples)
                {
                    _samples.Add(sample);
                }

                Thread.Sleep(intervalMs);
            }
        }, TaskCreationOptions.LongRunning);
    }

    /// <summary>CPU seconds between two Stopwatch instants (linear between the nearest samples).</summary>
    public double CpuSecondsBetween(long fromTicks, long toTicks) => At(toTicks, s => s.Cpu) - At(fromTicks, s => s.Cpu);

    /// <summary>CPU seconds all processes but this one used between two Stopwatch instants (/proc/stat counts in 10 ms steps).</summary>
    public double OthersCpuSecondsBetween(long fromTicks, long toTicks) =>
        Math.Max(0, At(toTicks, s => s.Machine) - At(fromTicks, s => s.Machine) - CpuSecondsBetween(fromTicks, toTicks));

    private double At(long ticks, Func<(long Ticks, double Cpu, double Machine), double> value)
    {
        lock (_samples)
        {
            if (_samples.Count == 0)
            {
                return double.NaN;
            }

            var after = _samples.FindIndex(s => s.Ticks >= ticks);
            if (after <= 0)
            {
                return value(after == 0 ? _samples[0] : _samples[^1]);
            }

            var (t0, c0) = (_samples[after - 1].Ticks, value(_samples[after - 1]));
            var (t1, c1) = (_samples[after].Ticks, value(_samples[after]));
            return c0 + ((c1 - c0) * (ticks - t0) / Math.Max(1, t1 - t0));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>Busy CPU time of the whole machine (all processes) from /proc/stat; NaN where there is none.</summary>
public static class MachineCpu
{
    public static double BusySeconds()
    {
        try
        {
            // cpu  user nice system idle iowait irq softirq steal guest guest_nice (in USER_HZ = 1/100 s)
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + (fields.Length > 7 ? fields[7] : 0);
            return busy / 100.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return double.NaN;
        }
    }
}

/// <summary>CPU time per thread of this process, by thread name (/proc/self/task/*/stat, 10 ms steps).</summary>
public static class ThreadCpu
{
    public static Dictionary<int, (string Name, double Seconds)> Snapshot()
    {
        var result = new Dictionary<int, (string, double)>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    // pid (comm) state ... field 14 utime, 15 stime, counted after the closing parenthesis of comm
                    var close = stat.LastIndexOf(')');
                    var name = stat[(stat.IndexOf('(') + 1)..close];
                    var fields = stat[(close + 2)..].Split(' ');
                    var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
                    result[int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture)] = (name, ticks / 100.0);
                }
                catch (IOException)
                {
                    // the thread ended
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        {
        }

        return result;
    }

    /// <summary>CPU seconds between two snapshots of the threads whose name starts with <paramref name="prefix"/>.</summary>
    public static double Between(Dictionary<int, (string Name, double Seconds)> before, Dictionary<int, (string Name, double Seconds)> after, string prefix) =>
        after.Where(t => t.Value.Name.StartsWith(prefix, StringComparison.Ordinal))
            .Sum(t => t.Value.Seconds - (before.TryGetValue(t.Key, out var b) ? b.Seconds : 0));
}
