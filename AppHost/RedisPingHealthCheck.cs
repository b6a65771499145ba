using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Rill.AppHost;

/// <summary>
/// A redis-server started from PATH is ready when it answers PING (the Redis container brings its own check). Each check
/// connects anew: it runs every few seconds against a local server, and nothing stays open after the AppHost stops it.
/// </summary>
internal sealed class RedisPingHealthCheck(IResourceWithConnectionString redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var address = await redis.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(address))
        {
            return HealthCheckResult.Unhealthy($"{redis.Name} has no address yet.");
        }

        var options = ConfigurationOptions.Parse(address);
        options.ConnectTimeout = 3_000;
        options.AbortOnConnectFail = true;
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            var latency = await connection.GetDatabase().PingAsync().ConfigureAwait(false);
            return HealthCheckResult.Healthy($"redis-server at {address} answers PING in {latency.TotalMilliseconds:0.0} ms.");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The message is the whole story while the server starts: without the exception, the host logs one line per probe, not a stack trace.
            return HealthCheckResult.Unhealthy($"redis-server at {address} does not answer PING: {e.Message}");
        }
    }
}
