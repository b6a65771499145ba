using Rill.Sinks;
using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// The at-least-once writer of the Redis Streams sinks: appends each record at once (<c>XADD … *</c>, pipelined) and
/// waits for all answers before a checkpoint goes on. A restart appends what the failed attempt wrote after its last
/// checkpoint a second time. Also the writer of <see cref="RedisStreamSink{T}"/> in a job without checkpoints.
/// </summary>
internal sealed class RedisStreamAppendWriter<T> : ISinkWriter<T>
{
    private readonly RedisStreamSinkOptions<T> _options;
    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _database;
    private readonly PipelinedWrites _writes;
    private readonly object[] _trim;

    public RedisStreamAppendWriter(RedisStreamSinkOptions<T> options, SinkWriterContext context)
    {
        var description = $"Redis Streams sink '{context.OperatorName}' (subtask {context.SubtaskIndex})";
        _options = options;
        _connection = RedisConnectionFactory.Connect(options.Connection, description);
        _database = _connection.GetDatabase();
        _writes = new PipelinedWrites(description);
        _trim = [.. options.TrimArguments()];
    }

    public void Write(T value, long? timestamp)
    {
        var (stream, entry) = _options.Format(value);
        var arguments = new List<object>(2 + _trim.Length + (2 * entry.Fields.Length)) { (RedisKey)stream };
        arguments.AddRange(_trim);
        arguments.Add("*");
        for (var i = 0; i < entry.Fields.Length; i++)
        {
            arguments.Add(entry.Fields[i]);
            arguments.Add(entry.Values[i]);
        }

        _writes.Add(_database.ExecuteAsync("XADD", arguments), stream);
    }

    public void Flush(bool endOfInput) => _writes.Drain();

    public void Dispose() => _connection.Dispose();
}
