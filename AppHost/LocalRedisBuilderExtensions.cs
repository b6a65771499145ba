using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Rill.AppHost;

/// <summary>Adds a <c>redis-server</c> from PATH for the <c>local</c> flavour: loopback only, nothing saved to disk.</summary>
internal static class LocalRedisBuilderExtensions
{
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name, string redisServer, string workingDirectory)
    {
        var redis = new LocalRedisResource(name, redisServer, workingDirectory);
        var healthCheck = $"{name}-ping";
        builder.Services.AddHealthChecks().AddCheck(healthCheck, new RedisPingHealthCheck(redis));
        return builder.AddResource(redis)
            // Not proxied: redis-server listens on the very port its clients are given (the AppHost allocates a free one).
            .WithEndpoint(scheme: "tcp", name: LocalRedisResource.EndpointName, isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(redis.Endpoint.Property(EndpointProperty.TargetPort));
                // A development store: loopback only, no snapshots or append-only file left behind.
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add("no");
            })
            .WithHealthCheck(healthCheck);
    }
}
