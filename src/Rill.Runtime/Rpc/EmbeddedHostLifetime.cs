using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Rill.Runtime.Rpc;

/// <summary>
/// The lifetime of a web host embedded in a Rill process: it ignores Ctrl+C and SIGTERM. ASP.NET Core's default
/// console lifetime would take those signals for itself and stop only its server, leaving the process running without
/// its REST or RPC endpoint; the process (the program, the CLI, the test host) decides when to stop.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static void Use(IServiceCollection services) => services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
}
