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
/// counts that agree with the clicks topic, read here as the oracle. The test produces nothing itself.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class LocalTopologyTests(ITestOutputHelper output)
{
    private const long WindowMs = 5_000;
    private const int TaskManagers = 2;

    /// <summary>
    /// Start (about 25 s, 10 of them reactive mode's resource stabilization) and two windows closing (the first ones close
    /// at once from the backlog): about 45 s here, with room for a loaded CI machine.
    /// </summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(110);

    [Fact]
    public async Task Clicks_from_clickgen_come_out_as_correct_five_second_window_counts()
    {
        using var budget = new CancellationTokenSource(Budget);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Rill_AppHost>(
            [
                "--Rill:Infrastructure=local", $"--Rill:WindowMs={WindowMs}", $"--Rill:TaskManagers={TaskManagers}", "--Rill:CheckpointingMs=1000",
                "--Rill:ClicksPerSecond=40", "--Rill:ClickUsers=8",
            ],
            (options, _) => options.DisableDashboard = true,
            budget.Token);
        var app = await builder.BuildAsync(budget.Token);
        try
        {
            await app.StartAsync(budget.Token);
            foreach (var resource in new[] { "redis", "kafka", "jobmanager" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, budget.Token);
            }

            await app.ResourceNotifications.WaitForResourceAsync("clickgen", KnownResourceStates.Running, budget.Token);
            await WaitForRunningJobAsync(app.GetEndpoint("jobmanager", "rest"), budget.Token);

            var kafka = await app.GetConnectionStringAsync("kafka", budget.Token) ?? throw new InvalidOperationException("kafka has no connection string.");
            var counts = new WindowCounts(WindowMs);
            using var results = new TopicReader(kafka, "click-counts");
            using var clicks = new TopicReader(kafka, "clicks");
            IReadOnlyList<long> matching = [];
            while (matching.Count < 2)
            {
                Assert.False(budget.IsCancellationRequested, $"Within {Budget.TotalSeconds:0} s fewer than two windows matched the clicks: {counts.Describe()}.");
                await Task.Delay(500, CancellationToken.None);
                // Results first, then the clicks up to their current end: every click a result counted is then in the oracle.
                results.ReadToCurrentEnd(budget.Token).ForEach(counts.AddReported);
                clicks.ReadToCurrentEnd(budget.Token).ForEach(counts.AddClick);
                var wrong = counts.WrongCounts();
                Assert.True(wrong.Count == 0, "Results disagree with the clicks: " + string.Join("; ", wrong));
                matching = counts.WindowsMatchingTheClicks();
            }

            output.WriteLine($"Windows matching the clicks: {string.Join(", ", matching)} ({counts.Describe()}).");
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

    /// <summary>Both task manager replicas registered and the job running on their slots (reactive mode waits for them to settle).</summary>
    private static async Task WaitForRunningJobAsync(Uri rest, CancellationToken cancellation)
    {
        using var http = new HttpClient { BaseAddress = rest };
        JsonElement overview = default;
        while (!cancellation.IsCancellationRequested)
        {
            overview = await http.GetFromJsonAsync<JsonElement>("/overview", cancellation);
            if (overview.GetProperty("taskmanagers").GetInt32() == TaskManagers && overview.GetProperty("jobs-running").GetInt32() == 1)
            {
                return;
            }

            await Task.Delay(250, cancellation);
        }

        Assert.Fail($"The job manager never had {TaskManagers} task managers and a running job: {overview}");
    }
}
