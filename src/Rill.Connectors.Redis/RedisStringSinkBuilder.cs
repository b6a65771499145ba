using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>Builds a <see cref="RedisStringSink{T}"/>: connection, key, value and version are all required.</summary>
public sealed class RedisStringSinkBuilder<T>
{
    private string? _connection;
    private Func<T, string>? _key;
    private Func<T, long>? _version;
    private Func<T, RedisValue>? _value;

    internal RedisStringSinkBuilder()
    {
    }

    /// <summary><c>host:port</c>, <c>redis://host:port</c> or a StackExchange.Redis configuration string; each writer opens its own connection.</summary>
    public RedisStringSinkBuilder<T> SetConnection(string configuration)
    {
        RedisConnectionFactory.Parse(configuration);
        _connection = configuration;
        return this;
    }

    public RedisStringSinkBuilder<T> SetKey(Func<T, string> key)
    {
        _key = key ?? throw new ArgumentNullException(nameof(key));
        return this;
    }

    public RedisStringSinkBuilder<T> SetValue(Func<T, RedisValue> value)
    {
        _value = value ?? throw new ArgumentNullException(nameof(value));
        return this;
    }

    /// <summary>The record's version, an integer within ±2^53 (e.g. a window's start in epoch milliseconds).</summary>
    public RedisStringSinkBuilder<T> SetVersion(Func<T, long> version)
    {
        _version = version ?? throw new ArgumentNullException(nameof(version));
        return this;
    }

    public RedisStringSink<T> Build() => new(
        _connection ?? throw new InvalidOperationException("The Redis string sink needs a connection: call SetConnection(\"host:port\")."),
        _key ?? throw new InvalidOperationException("The Redis string sink needs a key: call SetKey(record => \"…\")."),
        _version ?? throw new InvalidOperationException("The Redis string sink needs a version: call SetVersion(record => version)."),
        _value ?? throw new InvalidOperationException("The Redis string sink needs a value: call SetValue(record => value)."));
}
