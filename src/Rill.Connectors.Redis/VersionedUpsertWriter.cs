using Rill.Sinks;
using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// The writer of the versioned upsert sinks (<see cref="RedisHashSink{T}"/>, <see cref="RedisStringSink{T}"/>): one
/// compare-and-set script per record, pipelined, all answered before a checkpoint goes on (<see cref="Flush"/>).
/// </summary>
internal sealed class VersionedUpsertWriter<T> : ISinkWriter<T>
{
    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _database;
    private readonly string _script;
    private readonly Func<T, VersionedUpsert> _upsert;
    private readonly PipelinedWrites _writes;

    public VersionedUpsertWriter(string configuration, string description, string script, Func<T, VersionedUpsert> upsert)
    {
        _connection = RedisConnectionFactory.Connect(configuration, description);
        _database = _connection.GetDatabase();
        _script = script;
        _upsert = upsert;
        _writes = new PipelinedWrites(description);
    }

    public void Write(T value, long? timestamp)
    {
        var upsert = _upsert(value);
        _writes.Add(_database.ScriptEvaluateAsync(_script, upsert.Keys, upsert.Arguments), upsert.Keys[0]);
    }

    public void Flush(bool endOfInput) => _writes.Drain();

    public void Dispose() => _connection.Dispose();
}

/// <summary>One record's compare-and-set: the script's keys (the first is the user's key) and arguments.</summary>
internal sealed record VersionedUpsert(RedisKey[] Keys, RedisValue[] Arguments);
