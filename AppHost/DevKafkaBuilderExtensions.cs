using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Rill.AppHost;

/// <summary>Adds the development Kafka broker (librdkafka's mock cluster, in memory) for the <c>local</c> flavour.</summary>
internal static class DevKafkaBuilderExtensions
{
    public static IResourceBuilder<DevKafkaResource> AddDevKafka(this IDistributedApplicationBuilder builder, string name,
        IReadOnlyList<(string Name, int Partitions)> topics, string bootstrapFile)
    {
        var broker = new DevKafkaResource(name, bootstrapFile);
        var healthCheck = $"{name}-metadata";
        builder.Services.AddHealthChecks().AddCheck(healthCheck, new KafkaReadyHealthCheck(broker, topics, createMissingTopics: false));

        // A restart from the dashboard gets new ports: the old announcement must not be read meanwhile.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(broker, (_, _) =>
        {
            File.Delete(bootstrapFile);
            return Task.CompletedTask;
        });

        var arguments = new List<string> { "--brokers", "1", "--bootstrap-file", bootstrapFile };
        foreach (var (topic, partitions) in topics)
        {
            arguments.AddRange(["--topic", string.Create(CultureInfo.InvariantCulture, $"{topic}:{partitions}")]);
        }

        // What AddProject does, for a ProjectResource of our own type (one that also has a connection string). WithProjectDefaults
        // is marked experimental in Aspire 13.6; it is the only way to give a project resource a type of its own.
#pragma warning disable ASPIREPROJECTS001
        return builder.AddResource(broker)
            .WithAnnotation(new Projects.Rill_DevKafka())
            .WithProjectDefaults(new ProjectResourceOptions())
#pragma warning restore ASPIREPROJECTS001
            .WithArgs([.. arguments])
            .WithHealthCheck(healthCheck);
    }
}
