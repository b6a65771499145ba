using System.Globalization;
using Rill.Sinks;
using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// Upserts each record into a Redis hash (one hash per record key), idempotently and never backwards: the record's
/// version (e.g. its window start) is stored in a version field, and one Lua script writes all fields only when the
/// stored version is absent or not greater than the record's (numeric comparison). Replaying records after a restore
/// therefore rewrites the same values or leaves newer ones alone, so the hashes end up exactly as after a failure-free
/// run: effectively exactly-once results from an at-least-once sink, the way Flink users upsert into key-value stores.
/// Writes are pipelined and all answered before each checkpoint goes on (and at the end of the input).
/// Records of equal version overwrite each other (the later one wins), so several updates of one window (e.g. early
/// firings) land in order; a replay from an older checkpoint may briefly show an earlier update of the newest version
/// until the replay catches up.
/// </summary>
public sealed class RedisHashSink<T> : ISink<T>
{
    // KEYS[1]: the hash. ARGV[1]: the version field, ARGV[2]: the record's version, ARGV[3..]: field, value, field, value…
    private const string UpsertScript = """
        local stored = redis.call('HGET', KEYS[1], ARGV[1])
        if stored then
          local storedVersion = tonumber(stored)
          if storedVersion == nil then
            return redis.error_reply('ERR version field ' .. ARGV[1] .. ' of hash ' .. KEYS[1] .. ' holds "' .. stored .. '", not a number')
          end
          if storedVersion > tonumber(ARGV[2]) then
            return 0
          end
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], unpack(ARGV, 3))
        return 1
        """;

    private readonly string _connection;
    private readonly Func<T, string> _key;
    private readonly string _versionField;
    private readonly Func<T, long> _version;
    private readonly Func<T, IEnumerable<(string Field, RedisValue Value)>> _fields;

    internal RedisHashSink(string connection, Func<T, string> key, string versionField, Func<T, long> version,
        Func<T, IEnumerable<(string Field, RedisValue Value)>> fields)
    {
        _connection = connection;
        _key = key;
        _versionField = versionField;
        _version = version;
        _fields = fields;
    }

    public static RedisHashSinkBuilder<T> Builder() => new();

    public ISinkWriter<T> CreateWriter(SinkWriterContext context) =>
        new VersionedUpsertWriter<T>(_connection, $"Redis hash sink '{context.OperatorName}' (subtask {context.SubtaskIndex})", UpsertScript, ToUpsert);

    private VersionedUpsert ToUpsert(T record)
    {
        var key = _key(record);
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException($"The key selector returned an empty key for record {record}.");
        }

        var arguments = new List<RedisValue>
        {
            _versionField,
            UpsertVersion.Checked(_version(record), key).ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (field, value) in _fields(record))
        {
            if (string.IsNullOrEmpty(field))
            {
                throw new ArgumentException($"A field of hash '{key}' has an empty name.");
            }

            if (field == _versionField)
            {
                throw new ArgumentException(
                    $"The fields of hash '{key}' include the version field '{_versionField}', which the sink writes itself from the version selector: leave it out of the fields.");
            }

            if (value.IsNull)
            {
                throw new ArgumentException($"Field '{field}' of hash '{key}' has no value (Redis stores no nulls).");
            }

            arguments.Add(field);
            arguments.Add(value);
        }

        return new VersionedUpsert([key], [.. arguments]);
    }
}
