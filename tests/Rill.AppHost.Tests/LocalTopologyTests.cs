using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Xunit.Abstractions;

namespace Rill.AppHost.Tests;

/// <summary>
/// The whole topology in the <c>local</c> flavour (redis-server from PATH, the development broker), as a developer starts it
/// with F5 but without the dashboard: every resource becomes healthy, and clickgen's clicks come out of the job as 5 s window
/// counts, in the output topic and in Redis, that agree with the clicks topic, read here as the oracle. Then one task manager
/// replica is stopped and started again as the dashboard's buttons do: the reactive job rescales down and back up, and its
/// windows stay right throughout. The test produces nothing itself.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class LocalTopologyTests(ITestOutputHelper output)
{
    private const long WindowMs = 5_000;
    private const int TaskManagers = 2;
    private const int SlotsPerTaskManager = 2;

    /// <summary>
    /// Start (about 20 s), two windows closing (the first ones close at once from the backlog), a replica stopping (a
    /// stop-with-savepoint rescale, a few seconds), two more windows, the replica starting again and one more window: about
    /// 75 s here, with room for a loaded CI machine and within the harness's 5 minutes.
    /// </summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(200);

    [Fact]
    public async Task Clicks_become_correct_window_counts_in_Kafka_and_Redis_and_stay_correct_after_a_task_manager_replica_stops()
    {
        using var budget = new CancellationTokenSource(Budget);
        var clock = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Rill_AppHost>(
            [
                "--Rill:Infrastructure=local", $"--Rill:WindowMs={WindowMs}", $"--Rill:TaskManagers={TaskManagers}",
                $"--Rill:SlotsPerTaskManager={SlotsPerTaskManager}", "--Rill:CheckpointingMs=1000", "--Rill:ClicksPerSecond=40", "--Rill:ClickUsers=8",
                // Reactive mode's waits, shortened: the slots settle within 3 s here, and the replica that comes back need not wait 30 s.
                "--Rill:ResourceStabilizationSeconds=3", "--Rill:MinRescaleIntervalSeconds=5",
            ],
            (options, _) => options.DisableDashboard = true,
            budget.Token);
        var app = await builder.BuildAsync(budget.Token);
        try
        {
            await app.StartAsync(budget.Token);
            foreach (var resource in new[] { "redis", "kafka", "jobmanager", "taskmanager" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, budget.Token);
            }

            await app.ResourceNotifications.WaitForResourceAsync("clickgen", KnownResourceStates.Running, budget.Token);
            using var rest = new HttpClient { BaseAddress = app.GetEndpoint("jobmanager", "rest") };
            var jobId = await WaitForRunningJobAsync(rest, budget.Token);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: job {jobId} runs on {TaskManagers} task managers.");

            var kafka = await app.GetConnectionStringAsync("kafka", budget.Token) ?? throw new InvalidOperationException("kafka has no connection string.");
            var redis = await app.GetConnectionStringAsync("redis", budget.Token) ?? throw new InvalidOperationException("redis has no connection string.");
            using var oracle = new ClickCountOracle(kafka, redis, WindowMs);
            // Every window from clickgen's first click on: the job reads the clicks topic from its beginning.
            var first = await oracle.FirstClickedWindowAsync(budget.Token);
            await oracle.WaitForWindowsAsync(first, first + WindowMs, budget.Token);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: the first two windows match the clicks ({oracle.Describe()}).");

            // Phase two: one replica stops. Aspire names replicas "taskmanager-<suffix>"; its Stop command ends the process
            // with SIGTERM, which a task manager takes as "leave": the job rescales without it through a savepoint.
            var before = await GetJobAsync(rest, jobId, budget.Token);
            var rescalesBefore = before.GetProperty("rescales").GetArrayLength();
            var stopped = (await ReplicasAsync(app, "taskmanager", budget.Token))[0];
            var stopClock = Stopwatch.StartNew();
            var stop = await app.ResourceCommands.ExecuteCommandAsync(stopped, KnownResourceCommands.StopCommand, budget.Token);
            Assert.True(stop.Success, $"Stopping {stopped} failed after {stopClock.Elapsed.TotalSeconds:0.0} s: {stop.Message}");
            var exitCode = await ExitCodeAsync(app, stopped, budget.Token);
            Assert.True(exitCode == 0, $"{stopped} should leave the cluster and exit 0 on SIGTERM; it ended with {exitCode?.ToString() ?? "no exit code (killed)"}.");

            var after = await WaitForRescaleAsync(rest, jobId, rescalesBefore, TaskManagers - 1, budget.Token);
            var rescale = after.GetProperty("rescales").EnumerateArray().Last();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: {stopped} stopped in {stopClock.Elapsed.TotalSeconds:0.0} s; rescale {rescale}.");
            Assert.Contains("is leaving", rescale.GetProperty("cause").GetString(), StringComparison.Ordinal);
            Assert.Equal(TaskManagers * SlotsPerTaskManager, rescale.GetProperty("from").GetInt32());
            Assert.Equal((TaskManagers - 1) * SlotsPerTaskManager, rescale.GetProperty("to").GetInt32());

            // Every window through the one after the rescale: the window open while it happened (clickgen's event time is
            // the wall clock) holds clicks counted before and after it, and must come out whole, once, in Kafka and Redis.
            var openDuringRescale = oracle.WindowOf(rescale.GetProperty("time").GetInt64());
            await oracle.WaitForWindowsAsync(first, openDuringRescale + WindowMs, budget.Token);
            await oracle.WaitForRedisToHoldAsync(openDuringRescale + WindowMs, budget.Token);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: every window through {openDuringRescale + WindowMs} matches the clicks ({oracle.Describe()}).");

            // Phase three: the replica starts again (the dashboard's Start), joins, and the job rescales back up to all slots.
            var start = await app.ResourceCommands.ExecuteCommandAsync(stopped, KnownResourceCommands.StartCommand, budget.Token);
            Assert.True(start.Success, $"Starting {stopped} again failed: {start.Message}");
            var rescaledUp = await WaitForRescaleAsync(rest, jobId, rescalesBefore + 1, TaskManagers, budget.Token);
            var up = rescaledUp.GetProperty("rescales").EnumerateArray().Last();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: {stopped} started again; rescale {up}.");
            Assert.Equal((TaskManagers - 1) * SlotsPerTaskManager, up.GetProperty("from").GetInt32());
            Assert.Equal(TaskManagers * SlotsPerTaskManager, up.GetProperty("to").GetInt32());
            var openDuringRescaleUp = oracle.WindowOf(up.GetProperty("time").GetInt64());
            await oracle.WaitForWindowsAsync(first, openDuringRescaleUp + WindowMs, budget.Token);
            await oracle.WaitForRedisToHoldAsync(openDuringRescaleUp + WindowMs, budget.Token);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: every window through {openDuringRescaleUp + WindowMs} matches the clicks ({oracle.Describe()}).");
        }
        finally
        {
            // Taken before disposal, which stops the resources: afterwards nothing would name them.
            var started = ProcessTree.StartedBy(Environment.ProcessId);
            await app.DisposeAsync();
            await builder.DisposeAsync();
            var killed = await ProcessTree.EndAsync(started, TimeSpan.FromSeconds(15));
            output.WriteLine($"{started.Count} processes started; killed after the grace period: {(killed.Count == 0 ? "none" : string.Join(", ", killed))}.");
        }
    }

    /// <summary>Both task manager replicas registered and the job running on all their slots (reactive mode waits for them to settle).</summary>
    private static async Task<string> WaitForRunningJobAsync(HttpClient rest, CancellationToken cancellation)
    {
        JsonElement overview = default;
        while (!cancellation.IsCancellationRequested)
        {
            overview = await rest.GetFromJsonAsync<JsonElement>("/overview", cancellation);
            if (overview.GetProperty("taskmanagers").GetInt32() == TaskManagers && overview.GetProperty("jobs-running").GetInt32() == 1)
            {
                var jobs = await rest.GetFromJsonAsync<JsonElement>("/jobs", cancellation);
                var jobId = jobs.GetProperty("jobs").EnumerateArray().Single().GetProperty("id").GetString()!;
                // A replica that registered after the slots had settled joins through a rescale: wait for all slots in use.
                var job = await GetJobAsync(rest, jobId, cancellation);
                if (job.GetProperty("state").GetString() == "RUNNING" && job.GetProperty("parallelism").GetInt32() == TaskManagers * SlotsPerTaskManager)
                {
                    return jobId;
                }
            }

            await Task.Delay(250, cancellation);
        }

        throw new TimeoutException($"The job manager never had {TaskManagers} task managers and a running job: {overview}");
    }

    /// <summary>The job running again after a rescale beyond the ones it had, with that many task managers registered.</summary>
    private static async Task<JsonElement> WaitForRescaleAsync(HttpClient rest, string jobId, int rescalesBefore, int taskManagers, CancellationToken cancellation)
    {
        JsonElement job = default;
        while (!cancellation.IsCancellationRequested)
        {
            job = await GetJobAsync(rest, jobId, cancellation);
            var overview = await rest.GetFromJsonAsync<JsonElement>("/overview", cancellation);
            if (job.GetProperty("state").GetString() == "RUNNING" && job.GetProperty("rescales").GetArrayLength() > rescalesBefore
                && overview.GetProperty("taskmanagers").GetInt32() == taskManagers)
            {
                return job;
            }

            await Task.Delay(250, cancellation);
        }

        throw new TimeoutException($"Job {jobId} did not rescale to {taskManagers} task managers: {job}");
    }

    /// <summary>The instance ids of a resource's replicas ("taskmanager-x7k2p…"), which its commands and notifications take.</summary>
    private static async Task<IReadOnlyList<string>> ReplicasAsync(DistributedApplication app, string resource, CancellationToken cancellation)
    {
        var replicas = new SortedSet<string>(StringComparer.Ordinal);
        // The notification service replays every resource's current state to a new watcher first.
        await foreach (var e in app.ResourceNotifications.WatchAsync(cancellation))
        {
            if (e.Resource.Name == resource && replicas.Add(e.ResourceId) && replicas.Count == TaskManagers)
            {
                break;
            }
        }

        return [.. replicas];
    }

    /// <summary>The exit code of one replica once it is in a terminal state (null: DCP did not see it exit by itself).</summary>
    private static async Task<int?> ExitCodeAsync(DistributedApplication app, string replica, CancellationToken cancellation)
    {
        await foreach (var e in app.ResourceNotifications.WatchAsync(cancellation))
        {
            if (e.ResourceId == replica && e.Snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state))
            {
                return e.Snapshot.ExitCode;
            }
        }

        throw new OperationCanceledException(cancellation);
    }

    private static Task<JsonElement> GetJobAsync(HttpClient rest, string jobId, CancellationToken cancellation) =>
        rest.GetFromJsonAsync<JsonElement>($"/jobs/{jobId}", cancellation);
}
