using Aspire.Hosting.ApplicationModel;

namespace Rill.AppHost;

/// <summary>A redis-server from PATH as an executable; its connection string is the host and port it listens on.</summary>
internal sealed class LocalRedisResource(string name, string redisServer, string workingDirectory)
    : ExecutableResource(name, redisServer, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.HostAndPort)}");
}
