using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Rill.Metrics;
using Rill.Runtime.Observability;
using Rill.ServiceDefaults;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Aspire service defaults for the ASP.NET projects of Rill's distribution (the click generator, tools): OpenTelemetry
/// logs, metrics and traces (exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set), <c>/health</c> and
/// <c>/alive</c>, service discovery, and HTTP resilience that never retries unsafe methods. Rill processes, which start
/// their own servers, use <see cref="RillServiceDefaults.Use"/> instead.
/// </summary>
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler(HttpResilienceDefaults.Configure);
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(RillTelemetry.MeterName))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(RillTelemetry.ActivitySourceName)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = TelemetryFilters.TraceIncomingRequest)
                .AddHttpClientInstrumentation(httpClient => httpClient.FilterHttpRequestMessage = TelemetryFilters.TraceOutgoingRequest));
        if (OtlpExport.IsConfigured(builder.Configuration))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>A "self" check tagged live: <c>/alive</c> answers 200 while the process can answer at all.</summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [HealthEndpoints.LiveTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c> (every check) and <c>/alive</c> (checks tagged live), in every environment: unlike the Aspire
    /// template, also in Production, where Kubernetes probes need them. They tell only up or ready, nothing else.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(HealthEndpoints.HealthPath);
        app.MapHealthChecks(HealthEndpoints.AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthEndpoints.LiveTag) });
        return app;
    }
}
