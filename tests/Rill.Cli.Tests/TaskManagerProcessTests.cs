using System.Net;

namespace Rill.Cli.Tests;

/// <summary><c>rill taskmanager</c> as an orchestrator probes it: <c>--health-port</c> is alive at once and ready once registered.</summary>
[Collection(CliProcesses.Name)]
public sealed class TaskManagerProcessTests
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheHealthPortIsAliveAtOnceAndHealthyOnceRegisteredWithTheJobManager()
    {
        // The JobManager is not there yet: a TaskManager started first keeps trying, alive but not ready.
        var jobManagerPort = FreePort.Next();
        var healthPort = FreePort.Next();
        using var taskManager = CliProcess.StartRill("taskmanager", "--jobmanager", $"http://127.0.0.1:{jobManagerPort}", "--slots", "1", "--health-port", $"{healthPort}");
        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{healthPort}"), Timeout = TimeSpan.FromSeconds(5) };
        await WaitForStatusAsync(probe, "/alive", HttpStatusCode.OK, taskManager);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.GetAsync("/health")).StatusCode);

        using var jobManager = CliProcess.StartRill("jobmanager", "--port", $"{jobManagerPort}");
        await WaitForStatusAsync(probe, "/health", HttpStatusCode.OK, taskManager);
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/alive")).StatusCode);
        // The probe port serves nothing else.
        Assert.Equal(HttpStatusCode.NotFound, (await probe.GetAsync("/overview")).StatusCode);

        await taskManager.StopAsync(TimeSpan.FromSeconds(30));
        await jobManager.StopAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ABadHealthPortInTheEnvironmentIsAUsageErrorWithOneLine()
    {
        var run = await CliProcess.RunAsync(Programs.Rill, ["taskmanager", "--jobmanager", "http://127.0.0.1:1"],
            new Dictionary<string, string> { ["RILL_HEALTH_PORT"] = "eighty" });

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("error: RILL_HEALTH_PORT must be a TCP port (0-65535), got 'eighty'.", Assert.Single(run.ErrorLines));
    }

    private static async Task WaitForStatusAsync(HttpClient probe, string path, HttpStatusCode expected, CliProcess process)
    {
        var deadline = DateTime.UtcNow + WaitTimeout;
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                Assert.Fail($"rill taskmanager exited: {await process.WaitForExitAsync(TimeSpan.FromSeconds(5))}");
            }

            try
            {
                last = (await probe.GetAsync(path)).StatusCode;
                if (last == expected)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail($"GET {path} did not answer {(int)expected} within {WaitTimeout.TotalSeconds:0} s (last: {last?.ToString() ?? "no answer"}): {await process.OutputSoFarAsync()}");
    }
}
