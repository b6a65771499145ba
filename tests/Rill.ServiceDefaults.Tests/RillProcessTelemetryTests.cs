using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Rill.Metrics;
using Rill.Runtime.Observability;

namespace Rill.ServiceDefaults.Tests;

/// <summary>
/// A Rill process (no generic host): its one set of providers exports the <c>Rill</c> meter and activity source over
/// OTLP when the endpoint is set, and Rill's own servers get the liveness check through the hook.
/// </summary>
public sealed class RillProcessTelemetryTests
{
    private static readonly System.Diagnostics.Metrics.Counter<long> TestCounter =
        RillTelemetry.Meter.CreateCounter<long>("serviceDefaultsTestRecords");

    [Fact]
    public async Task With_the_endpoint_set_Rill_metrics_and_spans_reach_the_collector()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(receiver.ExporterSettings()).Build();
        using var telemetry = RillProcessTelemetry.Start(configuration);
        Assert.True(telemetry.IsExporting);

        TestCounter.Add(5);
        using (RillTelemetry.ActivitySource.StartActivity("service defaults test span"))
        {
        }

        Assert.True(telemetry.MeterProvider!.ForceFlush(10_000), "the metrics export did not finish");
        Assert.True(telemetry.TracerProvider!.ForceFlush(10_000), "the trace export did not finish");
        Assert.Contains("/v1/metrics", receiver.Paths);
        Assert.Contains("/v1/traces", receiver.Paths);
    }

    /// <summary>
    /// A TaskManager leaving on SIGTERM exits through this disposal; a collector that accepts connections and never answers
    /// (or one that is gone, with Aspire's in-memory retry) must not hold it past the orchestrator's stop timeout.
    /// </summary>
    [Fact]
    public void Disposal_ends_within_the_shutdown_budget_when_the_collector_never_answers()
    {
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
        }).Build();
        var telemetry = RillProcessTelemetry.Start(configuration);
        TestCounter.Add(1);
        using (RillTelemetry.ActivitySource.StartActivity("span for a silent collector"))
        {
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        telemetry.Dispose();

        // Without the budget each provider waits for its exporter's 10 s timeout (and retries).
        Assert.True(clock.Elapsed < RillProcessTelemetry.ShutdownBudget + TimeSpan.FromSeconds(3),
            $"Disposing took {clock.Elapsed.TotalSeconds:0.0} s with a silent collector; the budget is {RillProcessTelemetry.ShutdownBudget.TotalSeconds:0} s.");
    }

    [Fact]
    public async Task Health_server_answers_alive_at_once_and_health_once_the_process_is_ready()
    {
        using var telemetry = RillProcessTelemetry.Start(new ConfigurationBuilder().Build());
        var readiness = new ProcessReadiness();
        await using var server = await HealthServer.StartAsync(IPAddress.Loopback, 0, readiness);
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(10) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(HealthEndpoints.AlivePath)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(HealthEndpoints.HealthPath)).StatusCode);

        var registered = false;
        using var part = readiness.Add("taskmanager", () => registered ? null : "not registered");
        var waiting = await http.GetAsync(HealthEndpoints.HealthPath);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, waiting.StatusCode);

        registered = true;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(HealthEndpoints.HealthPath)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(HealthEndpoints.AlivePath)).StatusCode);
    }

    [Fact]
    public async Task The_hook_adds_the_processs_checks_to_Rills_servers()
    {
        var readiness = new ProcessReadiness();
        using var ready = readiness.Add("test", () => null);
        using var failingLiveCheck = RillServerHooks.ConfigureServices(services =>
            services.AddHealthChecks().AddCheck("wedged", () => HealthCheckResult.Unhealthy("stuck"), [HealthEndpoints.LiveTag]));
        await using var server = await HealthServer.StartAsync(IPAddress.Loopback, 0, readiness);
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(10) };

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(HealthEndpoints.AlivePath)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(HealthEndpoints.HealthPath)).StatusCode);
    }
}
