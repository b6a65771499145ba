using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rill.Runtime.Observability;

/// <summary>
/// A process's probe port (<c>--health-port</c>): <c>/health</c> and <c>/alive</c> over HTTP/1.1, and nothing else. A
/// TaskManager has no HTTP/1.1 server of its own (its RPC endpoint is HTTP/2-only, which HTTP probes cannot speak), and
/// a port that serves only probes needs no auth token beyond loopback.
/// </summary>
public sealed class HealthServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HealthServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    private static readonly ILogger Logger = Rill.Logging.RillLogging.CreateLogger<HealthServer>();

    /// <summary>Where it listens, e.g. http://127.0.0.1:9249/ (a wildcard bind shows as loopback).</summary>
    public Uri Address { get; }

    /// <summary>The probe port a process was given (<c>--health-port</c>), started and announced; null when it was given none.</summary>
    public static async Task<HealthServer?> StartIfRequestedAsync(IPAddress bindAddress, int? port, ProcessReadiness readiness, CancellationToken cancellation)
    {
        if (port is not { } requested)
        {
            return null;
        }

        var server = await StartAsync(bindAddress, requested, readiness, cancellation).ConfigureAwait(false);
        Logger.LogInformation("Rill health endpoints at {HealthAddress} ({HealthPath}, {AlivePath})", server.Address, HealthEndpoints.HealthPath, HealthEndpoints.AlivePath);
        return server;
    }

    public static async Task<HealthServer> StartAsync(IPAddress bindAddress, int port, ProcessReadiness readiness, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(readiness);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Only errors, on Rill's console (RILL_CONSOLE_LOG): an unhandled exception behind a 500 must leave a trace.
        builder.Logging.AddProvider(Rill.Logging.RillLogging.CreateConsoleProvider()).SetMinimumLevel(LogLevel.Error)
            // An unready process answers 503 to each probe, and the prober reports it; an error line per probe (every
            // second under Aspire, while a TaskManager registers or leaves) would bury the errors that matter.
            .AddFilter(HealthEndpoints.HealthCheckServiceCategory, LogLevel.None);
        Rpc.EmbeddedHostLifetime.Use(builder.Services);
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(bindAddress, port, listen => listen.Protocols = HttpProtocols.Http1));
        HealthEndpoints.AddChecks(builder.Services, "rill", readiness.Check);
        var app = builder.Build();
        HealthEndpoints.Map(app);
        await app.StartAsync(cancellation).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HealthServer(app, new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout passed with probes still open: Kestrel aborted them.
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
