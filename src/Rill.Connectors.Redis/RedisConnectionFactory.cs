using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// Opens the connection a reader, writer, committer or enumerator owns. Each opens its own (never a shared static
/// one), so subtasks of several jobs in one process never close each other's connection, and a blocked or failed
/// connection stays confined to its subtask.
/// </summary>
internal static class RedisConnectionFactory
{
    /// <summary>
    /// Connects to <c>host:port</c>, <c>redis://host:port</c> or any StackExchange.Redis configuration string. A Redis that
    /// cannot be reached fails at once with the address and the purpose in the message (no silent retrying in the background).
    /// </summary>
    public static ConnectionMultiplexer Connect(string configuration, string purpose)
    {
        var options = Parse(configuration);
        try
        {
            return ConnectionMultiplexer.Connect(options);
        }
        catch (RedisConnectionException e)
        {
            throw new RedisConnectionException(e.FailureType, CommandFlags.None, $"{purpose} cannot connect to Redis at '{configuration}': {e.Message}", e, e.CommandStatus);
        }
    }

    /// <summary>Validates the configuration string when a connector is built, long before a subtask connects.</summary>
    public static ConfigurationOptions Parse(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var plain = configuration.StartsWith("redis://", StringComparison.OrdinalIgnoreCase)
            ? configuration["redis://".Length..].TrimEnd('/')
            : configuration;
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(plain);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{configuration}' is not a Redis address (host:port, redis://host:port or a StackExchange.Redis configuration string): {e.Message}", nameof(configuration), e);
        }

        if (options.EndPoints.Count == 0)
        {
            throw new ArgumentException($"'{configuration}' names no Redis endpoint (expected host:port).", nameof(configuration));
        }

        // A connector must fail rather than queue writes while Redis is away: the job then restarts from its checkpoint.
        options.AbortOnConnectFail = true;
        return options;
    }
}
