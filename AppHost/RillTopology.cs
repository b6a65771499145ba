using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rill.AppHost;

/// <summary>
/// The topology: Redis and Kafka; the KafkaClickCounts job in application mode and reactive mode, as one job manager
/// (no slots of its own) and N task manager replicas; and a click generator feeding it.
/// </summary>
/// <remarks>
/// The task managers find the job manager through its REST endpoint (<c>--jobmanager URL</c>, Flink's static
/// addressing) rather than through leader election in Redis (<c>--cluster redis://…</c>): the roles stay fixed, so the
/// dashboard's "jobmanager" is the JobManager and every "taskmanager" replica only offers slots; HA would make every
/// process a contender running its own TaskManager beside a possible JobManager, and would tie the cluster's life to
/// Redis, which here is a sink. The REST endpoint is not proxied, so its URL is the JobManager's real address, and the
/// task managers advertise their own data-plane address (loopback in run mode, where they bind; no Aspire endpoint or
/// proxy sits in the data plane).
/// </remarks>
internal static class RillTopology
{
    public const string RestEndpointName = "rest";

    /// <summary>Flink's REST port: where the published job manager serves (run mode takes a free port).</summary>
    public const int PublishedRestPort = 8081;

    /// <summary>Where published Rill processes keep checkpoints: a volume every one of them mounts (reactive rescales restore from it).</summary>
    public const string PublishedCheckpointDirectory = "/var/lib/rill/checkpoints";

    public static void Add(IDistributedApplicationBuilder builder, TopologySettings settings)
    {
        var publish = builder.ExecutionContext.IsPublishMode;
        var run = publish ? null : RunDirectory.Create(builder);
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Rill.AppHost").LogInformation(
                "Infrastructure flavour '{Flavour}': {Reason}. {TaskManagers} task manager(s) with {Slots} slot(s) each, {WindowMs} ms windows.",
                settings.Infrastructure.ToString().ToLowerInvariant(), settings.InfrastructureReason, settings.TaskManagers, settings.SlotsPerTaskManager,
                settings.WindowMs);
            return Task.CompletedTask;
        });

        IResourceBuilder<IResourceWithConnectionString> redis;
        IResourceBuilder<IResourceWithConnectionString> kafka;
        if (settings.Infrastructure == InfrastructureFlavour.Containers)
        {
            redis = builder.AddRedis("redis").WithDataVolume();
            kafka = builder.AddKafkaContainer("kafka", ClickTopics.All);
        }
        else
        {
            redis = builder.AddLocalRedis("redis", settings.RedisServerPath!, run!.Path);
            kafka = builder.AddDevKafka("kafka", ClickTopics.All, run.KafkaBootstrapFile);
        }

        var checkpoints = run?.Checkpoints ?? PublishedCheckpointDirectory;
        var authToken = publish ? builder.AddParameter("rill-auth-token", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true) : null;

        var jobManager = builder.AddProject<Projects.KafkaClickCounts>("jobmanager")
            .WithHttpEndpoint(targetPort: publish ? PublishedRestPort : null, name: RestEndpointName, isProxied: false)
            // Rill's REST and RPC servers choose their own listeners; ASPNETCORE_URLS would only be overridden (with a warning).
            .WithEndpointsInEnvironment(_ => false);
        var rest = jobManager.GetEndpoint(RestEndpointName);
        jobManager
            .WithArgs(context =>
            {
                context.Args.Add("--role");
                context.Args.Add("jobmanager");
                context.Args.Add("--slots");
                context.Args.Add("0");
                context.Args.Add("--rest-port");
                context.Args.Add(rest.Property(EndpointProperty.TargetPort));
                AddJobArguments(context.Args, settings);
            })
            .WithHttpHealthCheck(JobManagerHealth.Path, endpointName: RestEndpointName)
            .WaitFor(redis)
            .WaitFor(kafka)
            // Its port is a free one each run: said once it answers, for those without the dashboard (headless, scripts).
            .OnResourceReady((_, @event, _) =>
            {
                @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Rill.AppHost").LogInformation(
                    "The job manager's REST API is ready at {RestUrl} (/overview, /jobs, /taskmanagers).", rest.Url);
                return Task.CompletedTask;
            });
        ConfigureRillProcess(jobManager, kafka, redis, checkpoints, authToken);

        var taskManagers = builder.AddProject<Projects.KafkaClickCounts>("taskmanager")
            .WithReplicas(settings.TaskManagers)
            .WithArgs(context =>
            {
                context.Args.Add("--role");
                context.Args.Add("taskmanager");
                context.Args.Add("--jobmanager");
                context.Args.Add(rest);
                context.Args.Add("--slots");
                context.Args.Add(settings.SlotsPerTaskManager.ToString(CultureInfo.InvariantCulture));
                AddJobArguments(context.Args, settings);
            })
            // RILL_HEALTH_PORT: each replica serves /health (registered with the JobManager) and /alive on its own port.
            .WithHttpEndpoint(targetPort: publish ? JobManagerHealth.PublishedTaskManagerPort : null, name: JobManagerHealth.TaskManagerEndpointName, env: "RILL_HEALTH_PORT")
            .WithHttpHealthCheck(JobManagerHealth.Path, endpointName: JobManagerHealth.TaskManagerEndpointName)
            .WithEndpointsInEnvironment(_ => false)
            .WaitFor(jobManager);
        ConfigureRillProcess(taskManagers, kafka, redis, checkpoints, authToken);

        builder.AddProject<Projects.ClickGen>("clickgen")
            .WithArgs(
                "--topic", ClickTopics.Clicks,
                "--rate", settings.ClicksPerSecond.ToString(CultureInfo.InvariantCulture),
                "--event-time-speed", settings.EventTimeSpeed.ToString(CultureInfo.InvariantCulture),
                "--users", settings.ClickUsers.ToString(CultureInfo.InvariantCulture))
            .WithReference(kafka)
            .WaitFor(kafka);
    }

    /// <summary>
    /// The job's own options. Application mode: every process runs the same program and builds the same job graph, so the
    /// job manager and every task manager get exactly these.
    /// </summary>
    private static void AddJobArguments(IList<object> args, TopologySettings settings)
    {
        string[] job =
        [
            "--input-topic", ClickTopics.Clicks,
            "--output-topic", ClickTopics.ClickCounts,
            "--dead-letter-topic", ClickTopics.DeadLetters,
            "--window-ms", settings.WindowMs.ToString(CultureInfo.InvariantCulture),
            "--checkpointing", settings.CheckpointingMs.ToString(CultureInfo.InvariantCulture),
            "--delivery", "at-least-once",
            "--scheduler-mode", "reactive",
            "--resource-stabilization-timeout", settings.ResourceStabilizationSeconds.ToString(CultureInfo.InvariantCulture),
            "--min-rescale-interval", settings.MinRescaleIntervalSeconds.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var arg in job)
        {
            args.Add(arg);
        }
    }

    private static void ConfigureRillProcess(IResourceBuilder<ProjectResource> process, IResourceBuilder<IResourceWithConnectionString> kafka,
        IResourceBuilder<IResourceWithConnectionString> redis, string checkpoints, IResourceBuilder<ParameterResource>? authToken)
    {
        // ConnectionStrings__kafka and ConnectionStrings__redis: the sample reads them when its command line names no address.
        process.WithReference(kafka).WithReference(redis).WithEnvironment("RILL_CHECKPOINT_DIR", checkpoints)
            // Log lines to stdout: the dashboard shows every stderr line as an error, and this job prints no results there
            // (levels reach the dashboard's structured logs through OpenTelemetry either way).
            .WithEnvironment("RILL_CONSOLE_LOG", "stdout");
        if (authToken is not null)
        {
            // Published processes listen beyond loopback, where Rill's REST API demands a bearer token.
            process.WithEnvironment("RILL_BIND_ADDRESS", "0.0.0.0").WithEnvironment("RILL_AUTH_TOKEN", authToken);
        }
    }
}
