using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Rill.Logging;
using Rill.Runtime.Observability;

namespace Rill.ServiceDefaults;

/// <summary>
/// A Rill process's telemetry: the same OpenTelemetry setup as <see cref="Extensions.ConfigureOpenTelemetry"/>, built
/// once for the whole process (Rill starts several Kestrel servers, each with its own services; the meter, tracer and
/// logger providers must not exist once per server), and the hook that gives each of Rill's servers the "self" liveness
/// check and, when exporting, the OpenTelemetry logger. When exporting, Rill's own log lines (<see cref="RillLogging"/>)
/// go to OpenTelemetry too, and still to Rill's console. Disposing flushes what is buffered and unhooks the servers.
/// </summary>
public sealed class RillProcessTelemetry : IDisposable
{
    private readonly IHost? _host;
    private readonly IDisposable _hooks;
    private readonly IDisposable? _rillLogging;
    private int _disposed;

    private RillProcessTelemetry(IHost? host, bool hookServers = true)
    {
        _host = host;
        var logs = host?.Services.GetRequiredService<ILoggerFactory>();
        if (!hookServers)
        {
            _hooks = new Unhooked();
            return;
        }

        if (logs is not null)
        {
            _rillLogging = RillLogging.Use(RillLoggerFactory(logs));
        }

        _hooks = RillServerHooks.ConfigureServices(services =>
        {
            services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [HealthEndpoints.LiveTag]);
            if (logs is not null)
            {
                services.AddLogging(logging => logging.AddProvider(new ForwardingLoggerProvider(logs)));
            }
        });
    }

    /// <summary>True when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> was set: logs, metrics and traces go there.</summary>
    public bool IsExporting => _host is not null;

    /// <summary>The providers, for flushing (tests, a process about to exit); null when not exporting.</summary>
    public MeterProvider? MeterProvider => _host?.Services.GetService<MeterProvider>();

    public TracerProvider? TracerProvider => _host?.Services.GetService<TracerProvider>();

    public LoggerProvider? LoggerProvider => _host?.Services.GetService<LoggerProvider>();

    /// <summary>
    /// For a program that a session cluster plans in a collectible load context (<c>rill run</c>): the cluster process
    /// has its own telemetry, and hooking its servers from code it will unload would keep that code alive.
    /// </summary>
    internal static RillProcessTelemetry Inert() => new(null, hookServers: false);

    internal static RillProcessTelemetry Start(IConfiguration configuration)
    {
        if (!OtlpExport.IsConfigured(configuration))
        {
            return new RillProcessTelemetry(null);
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "rill",
        });
        builder.Configuration.AddConfiguration(configuration);
        builder.ConfigureOpenTelemetry();
        var host = builder.Build();
        // The host is never started (its console lifetime would take SIGTERM, which a TaskManager handles itself, to
        // leave its cluster): resolving the providers is what starts them listening, as OpenTelemetry's hosted service does.
        _ = host.Services.GetRequiredService<MeterProvider>();
        _ = host.Services.GetRequiredService<TracerProvider>();
        return new RillProcessTelemetry(host);
    }

    /// <summary>
    /// How long the last export may take when the process ends. Disposing a provider waits for its exporter without a
    /// limit, and an OTLP exporter retrying against a collector that is gone (Aspire sets
    /// <c>OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory</c>; its dashboard may be stopped or disabled) holds a leaving
    /// TaskManager for tens of seconds, past the orchestrator's stop timeout: losing the last batch is the lesser harm.
    /// </summary>
    public static readonly TimeSpan ShutdownBudget = TimeSpan.FromSeconds(2);

    /// <summary>Exports what the providers hold and shuts them down, all within <paramref name="budget"/>; afterwards disposing them waits for nothing.</summary>
    private void ShutDownWithin(TimeSpan budget)
    {
        // In parallel against one deadline: one exporter stuck on a gone collector must not leave the others no time
        // (the logs, last, hold the lines about why the process ends).
        var milliseconds = (int)budget.TotalMilliseconds;
        Task.WaitAll(
            Task.Run(() => TracerProvider?.Shutdown(milliseconds)),
            Task.Run(() => MeterProvider?.Shutdown(milliseconds)),
            Task.Run(() => LoggerProvider?.Shutdown(milliseconds)));
    }

    /// <summary>
    /// What Rill's components log into: the process's OpenTelemetry logger and Rill's console. Not the host's factory with
    /// a console added: that one also takes the logs of Rill's servers (ASP.NET Core's, Kestrel's), whose information
    /// belongs in OpenTelemetry, not on the console.
    /// </summary>
    private static ILoggerFactory RillLoggerFactory(ILoggerFactory openTelemetry) => LoggerFactory.Create(logging => logging
        // Everything passes here: the OpenTelemetry factory applies the process's Logging:LogLevel settings (so
        // Logging__LogLevel__Rill=Debug works), and the console its own threshold.
        .SetMinimumLevel(LogLevel.Trace)
        .AddProvider(new ForwardingLoggerProvider(openTelemetry))
        .AddProvider(RillLogging.CreateConsoleProvider()));

    private sealed class Unhooked : IDisposable
    {
        public void Dispose()
        {
            // Nothing was hooked.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _hooks.Dispose();
        // Rill's lines go back to the console before the OpenTelemetry logger is closed. The factory of the two is not
        // disposed: it owns nothing (neither provider owns what it writes to).
        _rillLogging?.Dispose();
        if (_host is not null)
        {
            ShutDownWithin(ShutdownBudget);
            _host.Dispose();
        }
    }
}
