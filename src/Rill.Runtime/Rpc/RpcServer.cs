using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProtoBuf.Grpc.Server;

namespace Rill.Runtime.Rpc;

/// <summary>
/// Hosts a process's control-plane services on Kestrel: gRPC over cleartext HTTP/2 on its own endpoint (cleartext
/// Kestrel speaks HTTP/2 only on an HTTP/2-only endpoint), separate from the REST port.
/// </summary>
public sealed class RpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RpcServer(WebApplication app) => _app = app;

    /// <summary>The address peers call, e.g. http://127.0.0.1:41234 (the advertised host replaces a wildcard bind).</summary>
    public string Address { get; private set; } = "";

    /// <param name="register">Registers service instances (singletons) and maps them, e.g. <c>app.MapGrpcService&lt;T&gt;()</c>.</param>
    public static async Task<RpcServer> StartAsync(IPAddress bindAddress, int port, string advertisedHost,
        Action<IServiceCollection> addServices, Action<WebApplication> mapServices, CancellationToken cancellation = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Only errors, on Rill's console (RILL_CONSOLE_LOG): an unhandled exception behind a 500 must leave a trace.
        builder.Logging.AddProvider(Rill.Logging.RillLogging.CreateConsoleProvider()).SetMinimumLevel(LogLevel.Error);
        Rill.Runtime.Rpc.EmbeddedHostLifetime.Use(builder.Services);
        // Long-lived calls (TaskManager connections, downloads) must not hold a stopping process for the default 30 s.
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(bindAddress, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddCodeFirstGrpc(options =>
        {
            options.EnableDetailedErrors = true; // peers are our own processes: they need the real reason
            options.MaxReceiveMessageSize = 64 * 1024 * 1024;
        });
        addServices(builder.Services);
        Observability.RillServerHooks.Apply(builder.Services);
        var app = builder.Build();
        mapServices(app);
        await app.StartAsync(cancellation).ConfigureAwait(false);
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new RpcServer(app) { Address = $"http://{advertisedHost}:{bound.Port}" };
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout passed with calls still open: Kestrel aborted them, which is what stopping means here.
        }
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
