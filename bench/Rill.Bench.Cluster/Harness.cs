using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Rill.Bench.Cluster;

/// <summary>The three scenarios, each on fresh processes, and the summary with the verdicts.</summary>
internal sealed class Harness(HarnessOptions options)
{
    private const double ThroughputTarget = 0.5;
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(5);

    private readonly List<string> _summary = [];
    private bool _failed;

    public async Task<int> RunAsync()
    {
        Directory.CreateDirectory(options.LogDirectory);
        var total = Stopwatch.StartNew();
        var loadAtStart = LoadAverage();
        Console.WriteLine($"Rill distributed-runtime bench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {loadAtStart}.");
        Console.WriteLine($"Process logs: {options.LogDirectory}");
        Console.WriteLine();

        try
        {
            if (options.Only.Contains("throughput"))
            {
                await ThroughputAsync();
            }

            if (options.Only.Contains("dataplane"))
            {
                await DataPlaneAsync();
            }

            if (options.Only.Contains("kill"))
            {
                await KillAsync();
            }
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Console.WriteLine($"ERROR: {e.Message}");
            _failed = true;
        }

        Console.WriteLine();
        Console.WriteLine("Summary");
        foreach (var line in _summary)
        {
            Console.WriteLine(line);
        }

        Console.WriteLine();
        Console.WriteLine($"Total bench time {total.Elapsed.TotalSeconds:0} s. Load average (1/5/15 min) at start {loadAtStart}, at end {LoadAverage()}.");
        return _failed ? 1 : 0;
    }

    // 1. Throughput: embedded vs distributed, same job, same parallelism.

    private sealed record ThroughputRun(string Mode, int Run, double SpanSeconds, long NetRuntimeMs, double WallSeconds, long Results, long Counted, string Placement, string Cpu, double CpuSeconds)
    {
        public double RecordsPerSecond(long records) => records / SpanSeconds;
    }

    private async Task ThroughputAsync()
    {
        string[] Job(long records) =>
            ["job", "windowcount", "--records", Str(records), "--keys", Str(options.Keys), "--window-ms", Str(options.WindowMs), "--parallelism", "2", .. NetworkArguments()];
        Console.WriteLine($"1. Throughput: {options.Records:N0} records → keyBy ({options.Keys:N0} keys) → tumbling event-time window ({options.WindowMs:N0} ms) count → discard, parallelism 2.");
        Console.WriteLine("   Embedded: one process. Distributed: JobManager (0 slots) + 2 TaskManagers (1 slot each), loopback.");
        Console.WriteLine("   Span = first source record → last window result (wall clock, all processes); records/s = records / span.");
        Console.WriteLine("   CPU s = user + system time of the job processes over their whole life (start-up and JIT included), JobManager + TaskManagers.");
        Console.WriteLine($"   Runs alternate embedded / distributed; each pair's ratio is printed with the distributed run.{NetworkNote()}");
        Console.WriteLine();

        // The fixed CPU cost of each mode (process start-up, JIT, cluster formation, an almost empty job), so that the
        // CPU per record below is what the records cost.
        var tinyRecords = 2L * options.Keys;
        var tinyEmbedded = await EmbeddedWindowCountAsync(Job(tinyRecords), 0);
        var tinyDistributed = await DistributedWindowCountAsync(Job(tinyRecords), 0);
        Console.WriteLine($"   Fixed CPU (a {tinyRecords:N0}-record job): embedded {tinyEmbedded.Cpu} s, distributed {tinyDistributed.Cpu} s.");
        Console.WriteLine();

        Console.WriteLine("| Mode        | Run | Span s | Records/s  | Ratio  | Net runtime s | Process wall s | CPU s              | Results | Subtasks of the window vertex |");
        Console.WriteLine("|-------------|----:|-------:|-----------:|-------:|--------------:|---------------:|--------------------|--------:|-------------------------------|");
        var runs = new List<ThroughputRun>();
        var pairRatios = new List<double>();
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var distributed in new[] { false, true })
            {
                var result = distributed ? await DistributedWindowCountAsync(Job(options.Records), run) : await EmbeddedWindowCountAsync(Job(options.Records), run);
                runs.Add(result);
                var ratio = "";
                if (distributed)
                {
                    var pair = result.RecordsPerSecond(options.Records) / runs[^2].RecordsPerSecond(options.Records);
                    pairRatios.Add(pair);
                    ratio = $"{pair:0.00}x";
                }

                Console.WriteLine($"| {result.Mode,-11} | {run,3} | {result.SpanSeconds,6:0.000} | {Rate(result.RecordsPerSecond(options.Records)),10} | {ratio,6} | {result.NetRuntimeMs / 1000.0,13:0.000} | {result.WallSeconds,14:0.000} | {result.Cpu,-18} | {result.Results,7:N0} | {result.Placement} |");
                if (result.Counted != options.Records)
                {
                    Fail($"   WRONG: the windows counted {result.Counted:N0} records, expected {options.Records:N0}.");
                }
            }
        }

        if (runs.Select(r => r.Results).Distinct().Count() > 1)
        {
            Fail("   WRONG: the runs produced different numbers of window results.");
        }

        double MedianOf(string mode, Func<ThroughputRun, double> value) => Median(runs.Where(r => r.Mode == mode).Select(value));
        var embedded = MedianOf("embedded", r => r.RecordsPerSecond(options.Records));
        var distributedRate = MedianOf("distributed", r => r.RecordsPerSecond(options.Records));
        var ratioOfMedians = distributedRate / embedded;
        var netRatio = MedianOf("distributed", r => options.Records / (r.NetRuntimeMs / 1000.0)) / MedianOf("embedded", r => options.Records / (r.NetRuntimeMs / 1000.0));
        var cpuEmbedded = (MedianOf("embedded", r => r.CpuSeconds) - tinyEmbedded.CpuSeconds) / options.Records * 1e9;
        var cpuDistributed = (MedianOf("distributed", r => r.CpuSeconds) - tinyDistributed.CpuSeconds) / options.Records * 1e9;
        var lines = new[]
        {
            $"Throughput (median of {options.Runs}): embedded {Rate(embedded)}, distributed {Rate(distributedRate)}",
            $"  distributed / embedded = {ratioOfMedians:0.000}x   target >= {ThroughputTarget:0.0}x   {(ratioOfMedians >= ThroughputTarget ? "PASS" : "MISS")}" +
            $"   (pairs: {string.Join(" ", pairRatios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))})",
            $"  by the JobManager's net runtime (includes TaskManager registration and deployment): {netRatio:0.000}x",
            $"  CPU per record beyond the fixed cost: embedded {cpuEmbedded:0} ns, distributed {cpuDistributed:0} ns ({cpuDistributed / cpuEmbedded:0.00}x)",
        };
        Console.WriteLine();
        lines.ToList().ForEach(Console.WriteLine);
        Console.WriteLine();
        _summary.AddRange(lines);
    }

    private async Task<ThroughputRun> EmbeddedWindowCountAsync(string[] job, int run)
    {
        var wall = Stopwatch.StartNew();
        using var process = ChildProcess.Start(run == 0 ? "throughput-embedded-fixed" : $"throughput-embedded-{run}", job, options.LogDirectory);
        var code = await process.WaitForExitAsync(JobTimeout);
        var report = code == 0 && process.Report is { } r ? r : throw new InvalidOperationException($"{process.Name} exited {code}; see {process.LogPath}");
        return new ThroughputRun("embedded", run, SpanSeconds([report]), report.NetRuntimeMs, wall.Elapsed.TotalSeconds,
            report.Accumulators.GetValueOrDefault(WindowCountJob.ResultsCounter), report.Accumulators.GetValueOrDefault(WindowCountJob.CountedCounter), "one process", Cpu([report]), report.CpuSeconds);
    }

    private async Task<ThroughputRun> DistributedWindowCountAsync(string[] job, int run)
    {
        var wall = Stopwatch.StartNew();
        using var cluster = await LocalCluster.StartAsync(run == 0 ? "throughput-distributed-fixed" : $"throughput-distributed-{run}", job, options.LogDirectory);
        var ids = await TaskManagerNamesAsync(cluster);
        // Placement only: a slow poll, so the JobManager's REST work does not compete with the job.
        using var stopPolling = new CancellationTokenSource();
        var placement = PollAsync<string>(cluster, TimeSpan.FromMilliseconds(250), stopPolling.Token, (snapshot, _) =>
        {
            var window = snapshot.Vertex("Window Count");
            return window.Subtasks.All(s => s.TaskManagerId is not null && s.Status is "RUNNING" or "FINISHED")
                ? string.Join(", ", window.Subtasks.Select(s => $"#{s.Index} on {ids.GetValueOrDefault(s.TaskManagerId!, s.TaskManagerId!)}"))
                : null;
        });
        var reports = await cluster.WaitForEndAsync(JobTimeout);
        await stopPolling.CancelAsync();
        var jobManager = reports[0];
        return new ThroughputRun("distributed", run, SpanSeconds(reports), jobManager.NetRuntimeMs, wall.Elapsed.TotalSeconds,
            jobManager.Accumulators.GetValueOrDefault(WindowCountJob.ResultsCounter), jobManager.Accumulators.GetValueOrDefault(WindowCountJob.CountedCounter),
            await placement ?? "not seen", Cpu(reports), reports.Sum(r => r.CpuSeconds));
    }

    // 2. Raw data-plane MB/s between two TaskManager processes.

    private async Task DataPlaneAsync()
    {
        var bytes = options.DataPlaneRecords * options.DataPlaneRecordBytes;
        string[] job = ["job", "dataplane", "--records", Str(options.DataPlaneRecords), "--record-bytes", Str(options.DataPlaneRecordBytes), .. NetworkArguments()];
        Console.WriteLine($"2. Data plane: {options.DataPlaneRecords:N0} records of {options.DataPlaneRecordBytes:N0} bytes ({bytes / 1e6:N0} MB) from source subtask 1");
        Console.WriteLine("   (slot 1) through a global exchange to the consumer (slot 0): one slot per TaskManager, so every byte crosses TCP.");
        Console.WriteLine("   MB/s = received payload bytes / (first record emitted → last record received); 1 MB = 10^6 bytes.");
        Console.WriteLine($"   Wire MB/s = the consumer's read-bytes-remote (REST; buffers with record headers) / the same span.{NetworkNote()}");
        Console.WriteLine("   Heartbeat MB/s = steady state from the TaskManagers' heartbeat payload (GET /taskmanagers/{id}: dataPlaneBytesSent),");
        Console.WriteLine("   between the first and the last heartbeat that arrived during the transfer; in flight / credit = the sender's");
        Console.WriteLine("   high-water mark of bytes in flight on the channel / the bytes its credit allows.");
        Console.WriteLine();
        Console.WriteLine("| Mode        | Run | Span s | Payload MB/s | Records/s  | read-bytes-remote | Wire MB/s | Heartbeat MB/s | In flight / credit | CPU s              | Source subtask 1 → consumer |");
        Console.WriteLine("|-------------|----:|-------:|-------------:|-----------:|------------------:|----------:|---------------:|-------------------:|--------------------|-----------------------------|");

        // The in-memory exchange of one process, for reference.
        {
            using var process = ChildProcess.Start("dataplane-embedded", job, options.LogDirectory);
            var code = await process.WaitForExitAsync(JobTimeout);
            var report = code == 0 && process.Report is { } r ? r : throw new InvalidOperationException($"{process.Name} exited {code}; see {process.LogPath}");
            CheckDataPlane(report, bytes);
            var span = SpanSeconds([report]);
            Console.WriteLine($"| {"embedded",-11} | {1,3} | {span,6:0.000} | {bytes / 1e6 / span,12:N0} | {Rate(options.DataPlaneRecords / span),10} | {"-",17} | {"-",9} | {"-",14} | {"-",18} | {Cpu([report]),-18} | in-memory channel |");
            _summary.Add($"Data plane, in-memory (embedded, reference): {bytes / 1e6 / span:N0} MB/s");
        }

        var loopback = await LoopbackBaseline.MegabytesPerSecondAsync(bytes);
        Console.WriteLine($"| {"raw TCP",-11} | {1,3} | {bytes / 1e6 / loopback,6:0.000} | {loopback,12:N0} | {"-",10} | {"-",17} | {"-",9} | {"-",14} | {"-",18} | {"-",-18} | loopback socket, harness threads |");

        var rates = new List<double>();
        for (var run = 1; run <= options.DataPlaneRuns; run++)
        {
            using var cluster = await LocalCluster.StartAsync($"dataplane-distributed-{run}", job, options.LogDirectory);
            var ids = await TaskManagerNamesAsync(cluster);
            long remoteBytes = -1;
            string? placement = null;
            using var stopPolling = new CancellationTokenSource();
            // Metrics reach the JobManager with a task's final state, just before the processes exit: poll quickly.
            var polling = PollAsync<string>(cluster, TimeSpan.FromMilliseconds(20), stopPolling.Token, (snapshot, _) =>
            {
                var source = snapshot.Vertex("Bytes Source").Subtasks.FirstOrDefault(s => s.Index == 1);
                var consumer = snapshot.Vertex("Count Bytes");
                if (source?.TaskManagerId is { } from && consumer.Subtasks[0].TaskManagerId is { } to)
                {
                    placement = $"{ids.GetValueOrDefault(from, from)} → {ids.GetValueOrDefault(to, to)}{(from == to ? " (SAME PROCESS)" : string.Empty)}";
                }

                remoteBytes = Math.Max(remoteBytes, consumer.Metrics.GetValueOrDefault("read-bytes-remote"));
                return null; // until the JobManager is gone
            });
            var heartbeats = PollHeartbeatPayloadsAsync(cluster, ids.Keys.ToList(), stopPolling.Token);
            var reports = await cluster.WaitForEndAsync(JobTimeout);
            await stopPolling.CancelAsync();
            await polling;
            var (heartbeatRate, inFlight, credit) = await heartbeats;
            CheckDataPlane(reports[0], bytes);
            var span = SpanSeconds(reports);
            rates.Add(bytes / 1e6 / span);
            var wire = remoteBytes > 0 ? $"{remoteBytes / 1e6 / span,9:N0}" : $"{"not seen",9}";
            Console.WriteLine($"| {"distributed",-11} | {run,3} | {span,6:0.000} | {bytes / 1e6 / span,12:N0} | {Rate(options.DataPlaneRecords / span),10} | {(remoteBytes > 0 ? remoteBytes.ToString("N0", CultureInfo.InvariantCulture) : "not seen"),17} | {wire} | {(heartbeatRate is { } hb ? hb.ToString("N0", CultureInfo.InvariantCulture) : "n/a"),14} | {$"{inFlight:N0} / {credit:N0}",18} | {Cpu(reports),-18} | {placement ?? "not seen"} |");
            if (placement is null || placement.Contains("SAME", StringComparison.Ordinal))
            {
                Fail("   WRONG: the source and the consumer did not run in different TaskManager processes.");
            }
        }

        var line = $"Data plane between two TaskManager processes (median of {options.DataPlaneRuns}, {options.DataPlaneRecordBytes:N0}-byte records): {Median(rates):N0} MB/s payload" +
                   $" ({Median(rates) / loopback:0.00}x raw loopback TCP, {loopback:N0} MB/s in this run)";
        Console.WriteLine();
        Console.WriteLine(line);
        Console.WriteLine();
        _summary.Add(line);
    }

    /// <summary>
    /// Polls every TaskManager's heartbeat payload until stopped; returns the steady-state data-plane rate (MB/s) between
    /// the first and the last heartbeat that arrived while bytes were still flowing (null if fewer than two), and the
    /// highest in-flight and credit bytes per channel reported.
    /// </summary>
    private static async Task<(double? MegabytesPerSecond, long InFlight, long Credit)> PollHeartbeatPayloadsAsync(LocalCluster cluster, IReadOnlyList<string> taskManagers, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var changes = new List<(double At, long Sent)>();
        long inFlight = 0, credit = 0;
        while (!stop.IsCancellationRequested && !cluster.JobManager.HasExited)
        {
            long sent = 0;
            foreach (var id in taskManagers)
            {
                if (await cluster.Rest.GetAsync($"taskmanagers/{id}") is { } body && body.TryGetProperty("metrics", out var metrics) &&
                    metrics.TryGetProperty("dataPlaneBytesSent", out var bytesSent))
                {
                    sent += bytesSent.GetInt64();
                    inFlight = Math.Max(inFlight, metrics.TryGetProperty("maxInFlightBytesPerChannel", out var f) ? f.GetInt64() : 0);
                    credit = Math.Max(credit, metrics.TryGetProperty("maxCreditBytesPerChannel", out var c) ? c.GetInt64() : 0);
                }
            }

            if (sent > 0 && (changes.Count == 0 || sent != changes[^1].Sent))
            {
                changes.Add((clock.Elapsed.TotalSeconds, sent));
            }

            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // The last change may come from a heartbeat after the transfer ended: only values below the final one count.
        var during = changes.Where(c => changes.Count > 0 && c.Sent < changes[^1].Sent).ToList();
        double? rate = during.Count >= 2 ? (during[^1].Sent - during[0].Sent) / 1e6 / (during[^1].At - during[0].At) : null;
        return (rate, inFlight, credit);
    }

    private void CheckDataPlane(JobReport report, long bytes)
    {
        var received = report.Accumulators.GetValueOrDefault(DataPlaneJob.BytesCounter);
        if (received != bytes)
        {
            Fail($"   WRONG: received {received:N0} bytes, expected {bytes:N0}.");
        }
    }

    // 3. Kill-to-detection latency.

    private sealed record KillRun(int Run, double? FirstExceptionPolledMs, double? FirstExceptionJobManagerMs, string? FirstException, double? LeftRunningMs, string States,
        int Entries, double? SurvivorMs, string? SurvivorException);

    private async Task KillAsync()
    {
        var windowMs = (long)Math.Max(1, options.KillRate / 2); // about one window per second per key
        string[] job = ["job", "windowcount", "--records", "0", "--rate", Str((long)options.KillRate), "--keys", Str(options.Keys), "--window-ms", Str(windowMs), "--parallelism", "2"];
        Console.WriteLine($"3. Failure detection: unbounded window count at {options.KillRate:N0} records/s, parallelism 2 over 2 TaskManagers,");
        Console.WriteLine($"   heartbeat timeout {options.HeartbeatTimeoutSeconds:0} s. Once every subtask is RUNNING (+3 s), SIGKILL TaskManager 2 and poll");
        Console.WriteLine("   GET /jobs/{id}/exceptions and GET /jobs/{id} every 20 ms. Polled = when the harness saw it; JobManager = the entry's own timestamp.");
        Console.WriteLine();
        Console.WriteLine("   Surviving consumer = the first entry reported by the other TaskManager (its remote input channel from the killed one).");
        Console.WriteLine();
        Console.WriteLine("| Run | Kill → exception (polled) ms | Kill → exception (JobManager time) ms | Kill → job leaves RUNNING ms | Surviving consumer (JobManager time) ms | Entries | States seen | First exception |");
        Console.WriteLine("|----:|-----------------------------:|--------------------------------------:|-----------------------------:|----------------------------------------:|--------:|-------------|-----------------|");
        var runs = new List<KillRun>();
        for (var run = 1; run <= options.KillRuns; run++)
        {
            var result = await KillOnceAsync(job, run);
            runs.Add(result);
            Console.WriteLine($"| {run,3} | {Ms(result.FirstExceptionPolledMs),28} | {Ms(result.FirstExceptionJobManagerMs),37} | {Ms(result.LeftRunningMs),28} | {Ms(result.SurvivorMs),39} | {result.Entries,7} | {result.States} | {result.FirstException ?? "none"} |");
        }

        var detected = runs.Where(r => r.FirstExceptionPolledMs is not null).Select(r => r.FirstExceptionPolledMs!.Value).ToList();
        var left = runs.Where(r => r.LeftRunningMs is not null).Select(r => r.LeftRunningMs!.Value).ToList();
        var connectionLoss = runs.Count(r => r.FirstException?.Contains("onnection", StringComparison.Ordinal) == true);
        var survivorMessages = runs.Select(r => r.SurvivorException).OfType<string>().Distinct().ToList();
        var limit = options.HeartbeatTimeoutSeconds * 1000 / 10;
        var pass = detected.Count == runs.Count && detected.Max() < limit;
        var lines = new[]
        {
            $"Kill → detection ({runs.Count} kills): first exception entry after {Ms(Median(detected))} ms median (max {Ms(detected.DefaultIfEmpty(double.NaN).Max())} ms), " +
            $"job left RUNNING after {Ms(Median(left))} ms median; {connectionLoss} of {runs.Count} first entries name the lost connection",
            $"  the surviving TaskManager's consumer reported its lost data connection after {Ms(Median(runs.Where(r => r.SurvivorMs is not null).Select(r => r.SurvivorMs!.Value)))} ms median" +
            (survivorMessages.Count > 0 ? $" (\"{survivorMessages[0]}\")" : string.Empty),
            $"  target: well under the heartbeat timeout ({options.HeartbeatTimeoutSeconds:0} s; checked as < 1/10 of it, {limit:0} ms)   {(pass ? "PASS" : "MISS")}",
        };
        Console.WriteLine();
        lines.ToList().ForEach(Console.WriteLine);
        _summary.AddRange(lines);
    }

    private async Task<KillRun> KillOnceAsync(string[] job, int run)
    {
        using var cluster = await LocalCluster.StartAsync($"kill-{run}", job, options.LogDirectory, options.HeartbeatTimeoutSeconds);
        var ids = await TaskManagerNamesAsync(cluster);
        var victimId = ids.Single(i => i.Value == "tm2").Key;
        var running = Stopwatch.StartNew();
        string? jobId = null;
        while (true)
        {
            if (running.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"kill-{run}: the job was not RUNNING on both TaskManagers within 60 s; see {options.LogDirectory}.");
            }

            jobId ??= await cluster.Rest.JobIdAsync();
            if (jobId is not null && await cluster.Rest.GetAsync($"jobs/{jobId}") is { } body)
            {
                var snapshot = JobSnapshot.Parse(body);
                if (snapshot.State == "RUNNING" && snapshot.AllSubtasks("RUNNING") &&
                    snapshot.Vertex("Window Count").Subtasks.Select(s => s.TaskManagerId).Distinct().Count() == 2)
                {
                    break;
                }
            }

            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromSeconds(3)); // records and watermarks flowing between the TaskManagers

        var victim = cluster.TaskManagers[1];
        var killedAt = victim.KillHard();
        var clock = Stopwatch.StartNew();
        double? firstExceptionPolled = null;
        double? firstExceptionJobManager = null;
        string? firstException = null;
        double? leftRunning = null;
        var states = new List<string> { "RUNNING" };
        JsonElement? lastExceptions = null;
        var lastState = "RUNNING";
        while (clock.Elapsed < TimeSpan.FromSeconds(Math.Min(options.HeartbeatTimeoutSeconds + 5, 20)))
        {
            var exceptions = await cluster.Rest.GetAsync($"jobs/{jobId}/exceptions");
            var at = clock.Elapsed.TotalMilliseconds;
            lastExceptions = exceptions ?? lastExceptions;
            if (firstExceptionPolled is null && exceptions is { } e &&
                e.GetProperty("exceptionHistory").GetProperty("entries").EnumerateArray().ToList() is { Count: > 0 } entries)
            {
                firstExceptionPolled = at;
                var first = entries.MinBy(x => x.GetProperty("timestamp").GetInt64());
                firstExceptionJobManager = first.GetProperty("timestamp").GetInt64() - new DateTimeOffset(killedAt).ToUnixTimeMilliseconds();
                var taskManager = first.TryGetProperty("taskManagerId", out var tm) && tm.ValueKind == JsonValueKind.String ? tm.GetString() : null;
                firstException = $"{first.GetProperty("exceptionName").GetString()}: {first.GetProperty("message").GetString()}" +
                                 (taskManager is null ? string.Empty : $" (reported for {(taskManager == victimId ? "the killed" : "the surviving")} TaskManager)");
            }

            if (await cluster.Rest.GetAsync($"jobs/{jobId}") is { } body)
            {
                var state = body.GetProperty("state").GetString()!;
                if (state != lastState)
                {
                    lastState = state;
                    states.Add($"{state}@{clock.Elapsed.TotalMilliseconds:0}");
                }

                if (leftRunning is null && state != "RUNNING")
                {
                    leftRunning = clock.Elapsed.TotalMilliseconds;
                }
            }

            if (firstExceptionPolled is not null && leftRunning is not null && clock.Elapsed.TotalMilliseconds > Math.Max(firstExceptionPolled.Value, leftRunning.Value) + 1500)
            {
                break;
            }

            await Task.Delay(20);
        }

        var all = lastExceptions is { } last ? last.GetProperty("exceptionHistory").GetProperty("entries").EnumerateArray().ToList() : [];
        var fromSurvivor = all.Where(x => x.TryGetProperty("taskManagerId", out var tm) && tm.ValueKind == JsonValueKind.String && tm.GetString() != victimId)
            .OrderBy(x => x.GetProperty("timestamp").GetInt64()).FirstOrDefault();
        double? survivorMs = fromSurvivor.ValueKind == JsonValueKind.Object
            ? fromSurvivor.GetProperty("timestamp").GetInt64() - new DateTimeOffset(killedAt).ToUnixTimeMilliseconds()
            : null;
        var survivorException = fromSurvivor.ValueKind == JsonValueKind.Object
            ? Shorten(System.Text.RegularExpressions.Regex.Replace(fromSurvivor.GetProperty("message").GetString() ?? string.Empty, @"producer \S+ \([^)]*\)", "producer …"))
            : null;
        return new KillRun(run, firstExceptionPolled, firstExceptionJobManager, firstException is null ? null : Shorten(firstException), leftRunning,
            string.Join(" → ", states.Select(s => s.Split('@') is [var name, var ms] ? $"{name} (+{ms} ms)" : s)), all.Count, survivorMs, survivorException);
    }

    // Helpers.

    private string NetworkNote() => options.BuffersPerChannel is { } buffers ? $" Network buffers per channel: {buffers} (diagnostic; default 2)." : string.Empty;

    private string[] NetworkArguments() => options.BuffersPerChannel is { } buffers ? ["--buffers-per-channel", Str(buffers)] : [];

    /// <summary>Maps each TaskManager's id to "tm1"/"tm2" (the harness's process names).</summary>
    private static async Task<Dictionary<string, string>> TaskManagerNamesAsync(LocalCluster cluster)
    {
        var names = new Dictionary<string, string>();
        for (var i = 0; i < cluster.TaskManagers.Length; i++)
        {
            names[await LocalCluster.TaskManagerIdAsync(cluster.TaskManagers[i])] = $"tm{i + 1}";
        }

        return names;
    }

    /// <summary>
    /// Polls <c>GET /jobs/{id}</c> until <paramref name="observe"/> returns a value, the JobManager is gone or polling
    /// is stopped; returns the last value (null if none).
    /// </summary>
    private static async Task<T?> PollAsync<T>(LocalCluster cluster, TimeSpan interval, CancellationToken stop, Func<JobSnapshot, T?, T?> observe) where T : class
    {
        T? last = null;
        string? jobId = null;
        try
        {
            while (!stop.IsCancellationRequested && !cluster.JobManager.HasExited)
            {
                jobId ??= await cluster.Rest.JobIdAsync();
                if (jobId is not null && await cluster.Rest.GetAsync($"jobs/{jobId}") is { } body)
                {
                    last = observe(JobSnapshot.Parse(body), last) ?? last;
                    if (last is not null)
                    {
                        return last;
                    }
                }

                await Task.Delay(interval, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return last;
    }

    /// <summary>Total CPU seconds, and per process when there are several (JobManager first).</summary>
    private static string Cpu(IReadOnlyList<JobReport> reports) => reports.Count == 1
        ? $"{reports[0].CpuSeconds:0.0}"
        : $"{reports.Sum(r => r.CpuSeconds):0.0} ({string.Join("+", reports.Select(r => r.CpuSeconds.ToString("0.0", CultureInfo.InvariantCulture)))})";

    private static double SpanSeconds(IEnumerable<JobReport> reports)
    {
        var list = reports.ToList();
        var first = list.Where(r => r.FirstSourceTicks > 0).Select(r => r.FirstSourceTicks).DefaultIfEmpty(0).Min();
        var last = list.Select(r => r.LastSinkTicks).Max();
        return first == 0 || last <= first
            ? throw new InvalidOperationException("The job processes reported no source or sink marks.")
            : TimeSpan.FromTicks(last - first).TotalSeconds;
    }

    private void Fail(string message)
    {
        Console.WriteLine(message);
        _summary.Add(message.Trim());
        _failed = true;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Rate(double perSecond) => perSecond >= 1e6 ? $"{perSecond / 1e6:0.00} M/s" : $"{perSecond / 1e3:0} k/s";

    private static string Ms(double? ms) => ms is { } value && !double.IsNaN(value) ? value.ToString("0", CultureInfo.InvariantCulture) : "-";

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..157] + "...";

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
