using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Rill.Api;
using Rill.Logging;
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
    public async Task With_the_endpoint_set_the_runtimes_log_lines_reach_the_collector_with_their_category_and_level()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(receiver.ExporterSettings()).Build();
        var jobName = "otlp-logged-" + Guid.NewGuid().ToString("N")[..8];
        using (var telemetry = RillProcessTelemetry.Start(configuration))
        {
            var env = StreamExecutionEnvironment.GetExecutionEnvironment().SetParallelism(1);
            env.FromCollection(Enumerable.Range(0, 10)).SinkTo(new Rill.Sinks.CollectSink<int>());
            await env.ExecuteAsync(jobName);
            Assert.True(telemetry.LoggerProvider!.ForceFlush(10_000), "the log export did not finish");
        }

        // The JobMaster's line: its category is the scope, its level the severity text right before its message (the
        // record's body), its values the attributes after it.
        var logs = receiver.LogText;
        Assert.Contains("Rill.Runtime.JobMaster.JobMaster", logs, StringComparison.Ordinal);
        Assert.Matches(new Regex($"Information.{{1,8}}Job {jobName} \\([0-9a-f]{{32}}\\) switched from state RUNNING to FINISHED\\.", RegexOptions.Singleline), logs);
        Assert.Contains("{PreviousStatus}", logs, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_endpoint_Rill_keeps_logging_to_its_console_and_after_exporting_it_logs_there_again()
    {
        var console = RillLogging.LoggerFactory;
        using (RillProcessTelemetry.Start(new ConfigurationBuilder().Build()))
        {
            Assert.Same(console, RillLogging.LoggerFactory);
        }

        using (var telemetry = RillProcessTelemetry.Start(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" }).Build()))
        {
            Assert.True(telemetry.IsExporting);
            Assert.NotSame(console, RillLogging.LoggerFactory);
        }

        Assert.Same(console, RillLogging.LoggerFactory);
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
