using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rill.AppHost;

/// <summary>
/// One run's scratch directory (run mode): the development broker's bootstrap file, the checkpoints every Rill process of the
/// run shares, redis-server's working directory. Deleted once the AppHost stopped and its processes are gone.
/// </summary>
internal sealed class RunDirectory
{
    private RunDirectory(string path) => Path = path;

    public string Path { get; }

    public string KafkaBootstrapFile => System.IO.Path.Combine(Path, "kafka-bootstrap.txt");

    public string Checkpoints => System.IO.Path.Combine(Path, "checkpoints");

    public static RunDirectory Create(IDistributedApplicationBuilder builder)
    {
        var directory = new RunDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rill-apphost", Guid.NewGuid().ToString("N")[..12]));
        Directory.CreateDirectory(directory.Checkpoints);
        builder.Services.AddHostedService(services => new Cleanup(directory, services.GetRequiredService<IHostApplicationLifetime>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger<RunDirectory>()));
        return directory;
    }

    /// <summary>Deletes on ApplicationStopped, which comes after the orchestrator stopped the resources (hosted services stop before).</summary>
    private sealed class Cleanup(RunDirectory directory, IHostApplicationLifetime lifetime, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStopped.Register(Delete);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private void Delete()
        {
            try
            {
                Directory.Delete(directory.Path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not delete the run directory {Path}: {Reason}", directory.Path, e.Message);
            }
        }
    }
}
