using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Rill.ServiceDefaults.Tests;

/// <summary>The Aspire-shaped defaults of an ASP.NET project: probes in Production too, OTLP export with the endpoint.</summary>
public sealed class AspNetServiceDefaultsTests
{
    [Fact]
    public async Task Health_and_alive_answer_200_in_Production()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(10) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task With_the_endpoint_set_metrics_and_traces_reach_the_collector()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "clickgen-test", DisableDefaults = true });
        foreach (var (key, value) in receiver.ExporterSettings())
        {
            builder.Configuration[key] = value;
        }

        builder.AddServiceDefaults();
        using var host = builder.Build();
        var meters = host.Services.GetRequiredService<MeterProvider>();
        var tracers = host.Services.GetRequiredService<TracerProvider>();
        using var source = new System.Diagnostics.ActivitySource("clickgen-test");
        using (source.StartActivity("produce clicks"))
        {
        }

        Assert.True(tracers.ForceFlush(10_000), "the trace export did not finish");
        Assert.True(meters.ForceFlush(10_000), "the metrics export did not finish");
        Assert.Contains("/v1/traces", receiver.Paths);
        Assert.Contains("/v1/metrics", receiver.Paths);
    }
}
