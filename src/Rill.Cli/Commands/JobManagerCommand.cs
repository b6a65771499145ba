using System.CommandLine;
using System.Net;
using Rill.Cli.Options;
using Rill.Runtime.Entrypoint;

namespace Rill.Cli.Commands;

/// <summary>
/// <c>rill jobmanager</c>: a session cluster's JobManager (Dispatcher, ResourceManager, REST API) that runs until
/// Ctrl+C or SIGTERM and then stops cleanly with exit code 0, as a container orchestrator expects.
/// </summary>
internal static class JobManagerCommand
{
    public static Command Create()
    {
        var defaults = new JobManagerConfiguration();
        var port = ServerOptions.Port("--port", "REST API port", defaults.RestPort);
        var bindAddress = ServerOptions.BindAddress("the REST API and RPC endpoint");
        var advertisedAddress = ServerOptions.AdvertisedAddress();
        var rpcPort = ServerOptions.Port("--rpc-port", "Port TaskManagers register at (gRPC)", defaults.RpcPort);
        var authToken = ClusterOptions.AuthToken("Bearer token every REST request must carry; required unless bound to loopback");
        var heartbeatTimeout = ServerOptions.HeartbeatTimeout("Seconds without a heartbeat answer after which a TaskManager counts as lost");
        var artifactDirectory = new Option<DirectoryInfo?>("--artifact-dir")
        {
            Description = "Where uploaded applications are kept (and found again after a restart); default a fresh folder under the temp directory, removed at exit.",
            HelpName = "DIR",
        };
        var (cluster, clusterId) = ClusterOptions.HighAvailability();
        var restartStrategy = new Option<string?>("--restart-strategy")
        {
            Description = $"How failed jobs restart: {Rill.Runtime.Scheduler.RestartStrategies.Syntax}; default fixed-delay:10:1.",
            HelpName = "SPEC",
        };
        var maxUpload = new Option<int?>("--max-upload-mb")
        {
            Description = $"Largest application upload accepted, in MiB; default {defaults.MaxUploadBytes / (1024 * 1024)}.",
            HelpName = "N",
            CustomParser = result => OptionValues.Positive(result),
        };

        var command = new Command("jobmanager", "Run a session cluster's JobManager until Ctrl+C or SIGTERM.")
        {
            port, bindAddress, advertisedAddress, rpcPort, authToken, heartbeatTimeout, artifactDirectory, maxUpload, restartStrategy, cluster, clusterId,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var bind = parse.GetValue(bindAddress) ?? IPAddress.Loopback;
            var token = ClusterOptions.GetAuthToken(parse, authToken);
            if (ServerOptions.NeedsToken(bind) && token is null)
            {
                throw new UsageException(
                    $"--bind-address {bind} serves the REST API beyond loopback, where anyone who reaches it could run code: set an auth token (--auth-token or {EnvironmentVariables.AuthToken}), or bind to 127.0.0.1.");
            }

            var timeout = parse.GetValue(heartbeatTimeout) ?? defaults.HeartbeatTimeout;
            if (timeout <= defaults.HeartbeatInterval)
            {
                throw new UsageException($"--heartbeat-timeout must be longer than the heartbeat interval ({defaults.HeartbeatInterval.TotalSeconds:0.#} s).");
            }

            Func<Rill.Runtime.Scheduler.IRestartStrategy> restarts;
            try
            {
                restarts = parse.GetValue(restartStrategy) is { } spec ? Rill.Runtime.Scheduler.RestartStrategies.Parse(spec) : defaults.RestartStrategy;
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            var configuration = defaults with
            {
                RestartStrategy = restarts,
                RestPort = parse.GetValue(port),
                BindAddress = bind,
                AdvertisedAddress = parse.GetValue(advertisedAddress),
                RpcPort = parse.GetValue(rpcPort),
                RestAuthToken = token,
                HeartbeatTimeout = timeout,
                MaxUploadBytes = parse.GetValue(maxUpload) is { } megabytes ? megabytes * 1024L * 1024L : defaults.MaxUploadBytes,
            };

            PortCheck.EnsureFree(configuration.BindAddress, configuration.RestPort, "--port");
            PortCheck.EnsureFree(configuration.BindAddress, configuration.RpcPort, "--rpc-port");
            var explicitDirectory = parse.GetValue(artifactDirectory)?.FullName;
            if (parse.GetValue(cluster) is not null && explicitDirectory is null)
            {
                throw new UsageException("--cluster needs --artifact-dir: a standby JobManager resumes jobs from the uploads the leader kept there, so all of them must share it.");
            }

            // A default folder is this process's alone: nobody could find it after exit, so it goes with the process.
            var directory = explicitDirectory ?? Path.Combine(Path.GetTempPath(), $"rill-jobmanager-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
            try
            {
                await ServerRun.UntilCanceledAsync("JobManager", () => SessionClusterEntrypoint.RunJobManagerAsync(configuration, directory, cancellation, parse.GetValue(cluster), parse.GetValue(clusterId)!), cancellation)
                    .ConfigureAwait(false);
            }
            finally
            {
                if (explicitDirectory is null)
                {
                    TryDelete(directory);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not remove the upload folder {directory}: {e.Message}");
        }
    }
}
