namespace Rill.Connectors.Redis;

/// <summary>Builds a <see cref="RedisStreamSource{T}"/>: connection, streams and deserializer are required.</summary>
public sealed class RedisStreamSourceBuilder<T>
{
    private string? _connection;
    private string[] _streams = [];
    private string _startingId = "0-0";
    private bool _bounded;
    private Func<RedisStreamEntry, T>? _deserializer;
    private TimeSpan _pollInterval = TimeSpan.FromMilliseconds(20);
    private int _readCount = 1000;
    private string? _monitoringGroup;

    internal RedisStreamSourceBuilder()
    {
    }

    /// <summary><c>host:port</c>, <c>redis://host:port</c> or a StackExchange.Redis configuration string; each reader opens its own connection.</summary>
    public RedisStreamSourceBuilder<T> SetConnection(string configuration)
    {
        RedisConnectionFactory.Parse(configuration);
        _connection = configuration;
        return this;
    }

    /// <summary>The stream keys to read, each one split.</summary>
    public RedisStreamSourceBuilder<T> SetStreams(params string[] streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        if (streams.Length == 0 || streams.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Name at least one stream, and no empty names.", nameof(streams));
        }

        if (streams.Distinct(StringComparer.Ordinal).Count() != streams.Length)
        {
            throw new ArgumentException($"A stream is named twice: {string.Join(", ", streams)}.", nameof(streams));
        }

        _streams = [.. streams];
        return this;
    }

    /// <summary>
    /// Where a fresh start reads from (a restore continues from its checkpoint): "0-0" (the default) from the first
    /// entry, "$" only entries added after the job started, or an entry id to read after.
    /// </summary>
    public RedisStreamSourceBuilder<T> SetStartingId(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        _startingId = id == RedisStreamSourceOptions<T>.Latest ? id : StreamEntryId.Parse(id).ToString();
        return this;
    }

    /// <summary>Reads each stream up to its last entry when the job starts, then ends (Flink's setBounded(latest)).</summary>
    public RedisStreamSourceBuilder<T> SetBounded()
    {
        _bounded = true;
        return this;
    }

    /// <summary>Turns an entry into the source's record (called on the task thread; an exception fails the task).</summary>
    public RedisStreamSourceBuilder<T> SetDeserializer(Func<RedisStreamEntry, T> deserializer)
    {
        _deserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
        return this;
    }

    /// <summary>How long a reader waits to ask again after a read found nothing new (20 ms by default): the latency of an idle stream.</summary>
    public RedisStreamSourceBuilder<T> SetPollInterval(TimeSpan interval)
    {
        if (interval < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The poll interval must be at least 1 ms.");
        }

        _pollInterval = interval;
        return this;
    }

    /// <summary>Entries per stream and XREAD at most (XREAD COUNT; 1000 by default).</summary>
    public RedisStreamSourceBuilder<T> SetReadCount(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _readCount = count;
        return this;
    }

    /// <summary>
    /// Shows the positions of completed checkpoints as the last-delivered id of this consumer group on each stream
    /// (created when missing), so <c>XINFO GROUPS</c> shows the job's progress and lag. Monitoring only: the source
    /// never reads through the group, and nothing is acknowledged. Off by default.
    /// </summary>
    public RedisStreamSourceBuilder<T> SetMonitoringGroup(string group)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        _monitoringGroup = group;
        return this;
    }

    public RedisStreamSource<T> Build() => new(new RedisStreamSourceOptions<T>(
        _connection ?? throw new InvalidOperationException("The Redis Streams source needs a connection: call SetConnection(\"host:port\")."),
        _streams.Length > 0 ? _streams : throw new InvalidOperationException("The Redis Streams source needs streams: call SetStreams(\"name\", …)."),
        _startingId,
        _bounded,
        _deserializer ?? throw new InvalidOperationException("The Redis Streams source needs a deserializer: call SetDeserializer(entry => record)."),
        _pollInterval,
        _readCount,
        _monitoringGroup));
}
