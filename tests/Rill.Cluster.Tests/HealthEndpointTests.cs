using System.Globalization;
using System.Net;
using System.Text;
using Xunit.Abstractions;

namespace Rill.Cluster.Tests;

/// <summary>
/// The probes Kubernetes and the Aspire host point at Rill processes, in Production (where the Aspire template would map
/// none): a TaskManager started with <c>--health-port</c> answers <c>/alive</c> at once and <c>/health</c> only once it
/// is registered with a ResourceManager; the JobManager answers both on its REST port.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class HealthEndpointTests(ITestOutputHelper log)
{
    private static readonly Dictionary<string, string> Production = new() { ["ASPNETCORE_ENVIRONMENT"] = "Production" };

    [Fact]
    public async Task A_JobManager_and_a_TaskManager_in_Production_answer_200_on_health_and_alive()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(90));
        var input = harness.PathOf("clicks.csv");
        File.WriteAllText(input, string.Concat(Enumerable.Range(0, 200).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i * 100},{i % 5},/page\n"))),
            Encoding.UTF8);
        var restPort = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var healthPort = FreePort.Next();
        // --follow: the job keeps running, so both processes stay up while they are probed.
        string[] job = ["--input", input, "--follow", "--output", harness.PathOf("out")];
        var taskManagerHealth = new Uri($"http://127.0.0.1:{healthPort}");

        // The TaskManager first: alive, but not ready while there is no JobManager to register with.
        var taskManager = harness.StartWithEnvironment("taskmanager", Programs.ClickCounts, Production,
            [.. job, "--role", "taskmanager", "--jobmanager", $"http://127.0.0.1:{restPort}", "--slots", "2", "--health-port", healthPort.ToString(CultureInfo.InvariantCulture)]);
        await harness.WaitUntilAsync("the TaskManager answers /alive", TimeSpan.FromSeconds(30),
            async () => await StatusAsync(harness, taskManagerHealth, "/alive") == HttpStatusCode.OK);
        var beforeJobManager = await StatusAsync(harness, taskManagerHealth, "/health");
        harness.Check(beforeJobManager == HttpStatusCode.ServiceUnavailable,
            $"The TaskManager's /health answered {beforeJobManager} without a JobManager, expected 503 (not registered).");

        var jobManager = harness.StartWithEnvironment("jobmanager", Programs.ClickCounts, Production,
            [.. job, "--role", "jobmanager", "--slots", "0", "--rest-port", restPort]);
        var rest = await harness.WaitForRestAddressAsync(jobManager, TimeSpan.FromSeconds(30));
        await harness.WaitUntilAsync("the TaskManager registers and answers /health with 200", TimeSpan.FromSeconds(30),
            async () => await StatusAsync(harness, taskManagerHealth, "/health") == HttpStatusCode.OK);

        foreach (var (process, address) in new[] { ("jobmanager", rest), ("taskmanager", taskManagerHealth) })
        {
            foreach (var path in new[] { "/health", "/alive" })
            {
                var status = await StatusAsync(harness, address, path);
                harness.Check(status == HttpStatusCode.OK, $"{process} answered {status} on {path}, expected 200.");
            }
        }

        harness.Check(!jobManager.HasExited && !taskManager.HasExited, "Both processes should still run the --follow job.");
        log.WriteLine(harness.Diagnostics());
    }

    private static async Task<HttpStatusCode?> StatusAsync(ClusterHarness harness, Uri address, string path)
    {
        try
        {
            using var response = await harness.Http.GetAsync(new Uri(address, path), harness.Deadline);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // not listening (yet)
        }
    }
}
