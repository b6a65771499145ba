using System.CommandLine;
using System.Net;
using Rill.Cli.Options;
using Rill.Runtime.Entrypoint;
using Rill.Runtime.TaskExecutor;

namespace Rill.Cli.Commands;

/// <summary>
/// <c>rill taskmanager</c>: offers slots to a session JobManager and runs the subtasks it deploys, downloading each
/// job's application from it; runs until Ctrl+C or SIGTERM. It keeps trying while the JobManager is away, so the two
/// may start in any order.
/// </summary>
internal static class TaskManagerCommand
{
    public static Command Create()
    {
        var defaults = new TaskManagerConfiguration();
        var jobManager = ClusterOptions.OptionalJobManager();
        var (cluster, clusterId) = ClusterOptions.HighAvailability();
        var slots = new Option<int>("--slots")
        {
            Description = "Number of task slots (parallel subtask pipelines) offered.",
            HelpName = "N",
            CustomParser = OptionValues.Positive,
            DefaultValueFactory = _ => defaults.NumberOfSlots,
        };
        var bindAddress = ServerOptions.BindAddress("the RPC and data endpoints");
        var advertisedAddress = ServerOptions.AdvertisedAddress();
        var rpcPort = ServerOptions.Port("--rpc-port", "Port the JobManager calls (gRPC)", defaults.RpcPort);
        var dataPort = ServerOptions.Port("--data-port", "Port other TaskManagers fetch results from", defaults.DataPort);
        var authToken = ClusterOptions.AuthToken("Bearer token for the JobManager's REST API");
        var heartbeatTimeout = ServerOptions.HeartbeatTimeout("Seconds without a JobManager heartbeat after which it counts as gone");
        var healthPort = ServerOptions.HealthPort();

        var command = new Command("taskmanager", "Run a TaskManager that offers slots to a JobManager, until Ctrl+C or SIGTERM.")
        {
            jobManager, cluster, clusterId, slots, bindAddress, advertisedAddress, rpcPort, dataPort, authToken, heartbeatTimeout, healthPort,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var configuration = defaults with
            {
                NumberOfSlots = parse.GetValue(slots),
                BindAddress = parse.GetValue(bindAddress) ?? IPAddress.Loopback,
                AdvertisedAddress = parse.GetValue(advertisedAddress),
                RpcPort = parse.GetValue(rpcPort),
                DataPort = parse.GetValue(dataPort),
                HeartbeatTimeout = parse.GetValue(heartbeatTimeout) ?? defaults.HeartbeatTimeout,
            };
            PortCheck.EnsureFree(configuration.BindAddress, configuration.RpcPort, "--rpc-port");
            PortCheck.EnsureFree(configuration.BindAddress, configuration.DataPort, "--data-port");
            var probePort = ServerOptions.GetHealthPort(parse, healthPort);
            if (probePort is { } probe)
            {
                PortCheck.EnsureFree(configuration.BindAddress, probe, parse.GetValue(healthPort) is null ? EnvironmentVariables.HealthPort : "--health-port");
            }

            var jobManagerUrl = parse.GetValue(jobManager);
            var haServices = parse.GetValue(cluster);
            if ((jobManagerUrl is null) == (haServices is null))
            {
                throw new UsageException(
                    $"Name the JobManager to join with exactly one of --jobmanager URL (or {EnvironmentVariables.JobManager}), its REST URL, or --cluster redis://HOST:PORT, the HA services its leader is found in.");
            }

            var token = ClusterOptions.GetAuthToken(parse, authToken);
            await ServerRun.UntilCanceledAsync("TaskManager",
                () => haServices is not null
                    ? SessionClusterEntrypoint.RunTaskManagerAsync(configuration, haServices, parse.GetValue(clusterId)!, token, cancellation, probePort)
                    : SessionClusterEntrypoint.RunTaskManagerAsync(configuration, jobManagerUrl!, token, cancellation, probePort), cancellation).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
