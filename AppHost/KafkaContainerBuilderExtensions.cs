using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Rill.AppHost;

/// <summary>Adds Kafka as an apache/kafka container (KRaft, one node) for the <c>containers</c> flavour and for publishing.</summary>
internal static class KafkaContainerBuilderExtensions
{
    public const string Image = "apache/kafka";
    public const string Tag = "4.1.0";

    private const int ClientPort = 9092;
    private const int InternalPort = 9093;

    private const string DataPath = "/var/lib/kafka/data";

    public static IResourceBuilder<KafkaContainerResource> AddKafkaContainer(this IDistributedApplicationBuilder builder, string name,
        IReadOnlyList<(string Name, int Partitions)> topics)
    {
        var kafka = new KafkaContainerResource(name);
        var healthCheck = $"{name}-metadata";
        builder.Services.AddHealthChecks().AddCheck(healthCheck, new KafkaReadyHealthCheck(kafka, topics, createMissingTopics: true));
        return builder.AddResource(kafka)
            .WithImage(Image, Tag)
            .WithImageRegistry("docker.io")
            .WithEndpoint(targetPort: ClientPort, scheme: "tcp", name: KafkaContainerResource.PrimaryEndpointName)
            .WithEndpoint(targetPort: InternalPort, scheme: "tcp", name: KafkaContainerResource.InternalEndpointName)
            .WithEnvironment(context => Configure(context, kafka))
            // Durable log: a volume (a StatefulSet's volume claim when published), the log in a folder of it so the
            // volume's lost+found does not confuse the broker.
            .WithVolume($"{name}-data", DataPath)
            .WithHealthCheck(healthCheck);
    }

    /// <summary>
    /// The image's settings through KAFKA_* variables. Each listener is advertised with the address its clients dial: in run
    /// mode the host port Aspire allocated (clients are processes on this machine) and the resource name on the container
    /// network; in publish mode the endpoints' host and port as the deployment resolves them.
    /// </summary>
    private static void Configure(EnvironmentCallbackContext context, KafkaContainerResource kafka)
    {
        var environment = context.EnvironmentVariables;
        environment["CLUSTER_ID"] = "cmlsbC1hcHBob3N0LWthZg";
        environment["KAFKA_NODE_ID"] = "1";
        environment["KAFKA_PROCESS_ROLES"] = "broker,controller";
        environment["KAFKA_CONTROLLER_QUORUM_VOTERS"] = "1@localhost:29093";
        environment["KAFKA_CONTROLLER_LISTENER_NAMES"] = "CONTROLLER";
        environment["KAFKA_INTER_BROKER_LISTENER_NAME"] = "PLAINTEXT";
        environment["KAFKA_LISTENERS"] = $"PLAINTEXT://localhost:29092,CONTROLLER://localhost:29093,PLAINTEXT_HOST://0.0.0.0:{ClientPort},PLAINTEXT_INTERNAL://0.0.0.0:{InternalPort}";
        environment["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] = "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT,PLAINTEXT_INTERNAL:PLAINTEXT";
        var advertised = new ReferenceExpressionBuilder();
        if (context.ExecutionContext.IsRunMode)
        {
            advertised.Append($"PLAINTEXT://localhost:29092,PLAINTEXT_HOST://localhost:{kafka.PrimaryEndpoint.Property(EndpointProperty.Port)},PLAINTEXT_INTERNAL://{kafka.Name}:{InternalPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }
        else
        {
            advertised.Append($"PLAINTEXT://localhost:29092,PLAINTEXT_HOST://{kafka.PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},PLAINTEXT_INTERNAL://{kafka.InternalEndpoint.Property(EndpointProperty.HostAndPort)}");
        }

        environment["KAFKA_ADVERTISED_LISTENERS"] = advertised.Build();
        // One broker: internal topics cannot have more replicas than that.
        environment["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] = "1";
        environment["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] = "1";
        environment["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] = "1";
        environment["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] = "0";
        environment["KAFKA_NUM_PARTITIONS"] = "4";
        environment["KAFKA_LOG_DIRS"] = DataPath + "/logs";
    }
}
