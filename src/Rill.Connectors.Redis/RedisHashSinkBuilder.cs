using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>Builds a <see cref="RedisHashSink{T}"/>: connection, key, version field and the other fields are all required.</summary>
public sealed class RedisHashSinkBuilder<T>
{
    private string? _connection;
    private Func<T, string>? _key;
    private string? _versionField;
    private Func<T, long>? _version;
    private Func<T, IEnumerable<(string Field, RedisValue Value)>>? _fields;

    internal RedisHashSinkBuilder()
    {
    }

    /// <summary><c>host:port</c>, <c>redis://host:port</c> or a StackExchange.Redis configuration string; each writer opens its own connection.</summary>
    public RedisHashSinkBuilder<T> SetConnection(string configuration)
    {
        RedisConnectionFactory.Parse(configuration);
        _connection = configuration;
        return this;
    }

    /// <summary>The hash a record goes to, e.g. <c>r =&gt; $"clickcounts:{r.User}"</c>.</summary>
    public RedisHashSinkBuilder<T> SetKey(Func<T, string> key)
    {
        _key = key ?? throw new ArgumentNullException(nameof(key));
        return this;
    }

    /// <summary>
    /// The field that stores the record's version and the version itself (an integer within ±2^53, e.g. a window's
    /// start in epoch milliseconds): a hash is written only when its stored version is absent or not greater.
    /// </summary>
    public RedisHashSinkBuilder<T> SetVersion(string field, Func<T, long> version)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        _versionField = field;
        _version = version ?? throw new ArgumentNullException(nameof(version));
        return this;
    }

    /// <summary>The other fields written with the version, e.g. <c>r =&gt; [("count", r.Count)]</c> (not the version field).</summary>
    public RedisHashSinkBuilder<T> SetFields(Func<T, IEnumerable<(string Field, RedisValue Value)>> fields)
    {
        _fields = fields ?? throw new ArgumentNullException(nameof(fields));
        return this;
    }

    public RedisHashSink<T> Build() => new(
        _connection ?? throw new InvalidOperationException("The Redis hash sink needs a connection: call SetConnection(\"host:port\")."),
        _key ?? throw new InvalidOperationException("The Redis hash sink needs a key: call SetKey(record => \"…\")."),
        _versionField ?? throw new InvalidOperationException("The Redis hash sink needs a version: call SetVersion(\"field\", record => version)."),
        _version!,
        _fields ?? throw new InvalidOperationException("The Redis hash sink needs fields: call SetFields(record => [(\"field\", value)])."));
}
