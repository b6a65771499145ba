using Aspire.Hosting.ApplicationModel;

namespace Rill.AppHost;

/// <summary>The development broker (src/Rill.DevKafka) as a project whose connection string is the bootstrap servers it announces.</summary>
internal sealed class DevKafkaResource(string name, string bootstrapFile) : ProjectResource(name), IResourceWithConnectionString
{
    public DevKafkaBootstrapServers BootstrapServers { get; } = new(name, bootstrapFile);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{BootstrapServers}");
}
