using Rill.Sinks;
using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// Builds a Redis Streams sink: <see cref="DeliveryGuarantee.ExactlyOnce"/> (the default) gives a
/// <see cref="RedisStreamSink{T}"/>, <see cref="DeliveryGuarantee.AtLeastOnce"/> a sink that appends at once.
/// </summary>
public sealed class RedisStreamSinkBuilder<T>
{
    private string? _connection;
    private Func<T, string>? _stream;
    private Func<T, IEnumerable<(string Field, RedisValue Value)>>? _fields;
    private DeliveryGuarantee _guarantee = DeliveryGuarantee.ExactlyOnce;
    private long? _maxLength;
    private bool _approximateTrimming = true;
    private TimeSpan? _markerTimeToLive = TimeSpan.FromDays(7);

    internal RedisStreamSinkBuilder()
    {
    }

    /// <summary><c>host:port</c>, <c>redis://host:port</c> or a StackExchange.Redis configuration string; each writer opens its own connection.</summary>
    public RedisStreamSinkBuilder<T> SetConnection(string configuration)
    {
        RedisConnectionFactory.Parse(configuration);
        _connection = configuration;
        return this;
    }

    /// <summary>Every record goes to this stream.</summary>
    public RedisStreamSinkBuilder<T> SetStream(string stream)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        _stream = _ => stream;
        return this;
    }

    /// <summary>Each record goes to the stream this selector names.</summary>
    public RedisStreamSinkBuilder<T> SetStream(Func<T, string> stream)
    {
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        return this;
    }

    /// <summary>The entry's fields, in order, e.g. <c>r =&gt; [("user", r.User), ("count", r.Count)]</c>; at least one.</summary>
    public RedisStreamSinkBuilder<T> SetFields(Func<T, IEnumerable<(string Field, RedisValue Value)>> fields)
    {
        _fields = fields ?? throw new ArgumentNullException(nameof(fields));
        return this;
    }

    public RedisStreamSinkBuilder<T> SetDeliveryGuarantee(DeliveryGuarantee guarantee)
    {
        if (!Enum.IsDefined(guarantee))
        {
            throw new ArgumentOutOfRangeException(nameof(guarantee), guarantee, "Unknown delivery guarantee.");
        }

        if (guarantee == DeliveryGuarantee.None)
        {
            // Appends are acknowledged at each checkpoint anyway: "none" would promise less for the same cost.
            throw new ArgumentException("The Redis Streams sink supports AtLeastOnce and ExactlyOnce, not None.", nameof(guarantee));
        }

        _guarantee = guarantee;
        return this;
    }

    /// <summary>Trims each stream to about (or, with <paramref name="approximate"/> false, exactly) this many entries as it appends (XADD MAXLEN).</summary>
    public RedisStreamSinkBuilder<T> SetMaxLength(long maxLength, bool approximate = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        _maxLength = maxLength;
        _approximateTrimming = approximate;
        return this;
    }

    /// <summary>
    /// How long an exactly-once commit marker outlives its writer's last commit (null: forever, one small key per
    /// stream, subtask and attempt). A restore from a checkpoint older than this may append its last entries again.
    /// </summary>
    public RedisStreamSinkBuilder<T> SetCommitMarkerTimeToLive(TimeSpan? timeToLive)
    {
        if (timeToLive is { } ttl && ttl < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), timeToLive, "The commit marker time to live must be at least one second (or null: keep).");
        }

        _markerTimeToLive = timeToLive;
        return this;
    }

    public Rill.Sinks.ISink<T> Build()
    {
        var options = new RedisStreamSinkOptions<T>(
            _connection ?? throw new InvalidOperationException("The Redis Streams sink needs a connection: call SetConnection(\"host:port\")."),
            _stream ?? throw new InvalidOperationException("The Redis Streams sink needs a stream: call SetStream(\"name\") or SetStream(record => name)."),
            _fields ?? throw new InvalidOperationException("The Redis Streams sink needs fields: call SetFields(record => [(\"field\", value)])."),
            _maxLength,
            _approximateTrimming,
            _markerTimeToLive);
        return _guarantee == DeliveryGuarantee.ExactlyOnce ? new RedisStreamSink<T>(options) : new AtLeastOnceRedisStreamSink<T>(options);
    }
}
