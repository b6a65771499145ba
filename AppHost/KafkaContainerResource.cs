using Aspire.Hosting.ApplicationModel;

namespace Rill.AppHost;

/// <summary>
/// A single-node Kafka broker (apache/kafka image, KRaft: the broker is its own controller). Clients use the primary
/// endpoint; the internal one serves other containers on the container network.
/// </summary>
internal sealed class KafkaContainerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";
    public const string InternalEndpointName = "internal";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public EndpointReference InternalEndpoint => new(this, InternalEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
