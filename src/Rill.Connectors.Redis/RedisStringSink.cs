using System.Globalization;
using Rill.Sinks;
using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// Upserts each record as a plain Redis string (readers just <c>GET key</c>), idempotently and never backwards, like
/// <see cref="RedisHashSink{T}"/>. The version lives in a companion string key in the same cluster slot:
/// <c>{key}:version</c> (or <c>key:version</c> when the key already has a <c>{hash tag}</c>); one Lua script writes
/// value and version only when the stored version is absent or not greater than the record's. A companion key rather
/// than a hash keeps the value readable with GET; deleting a value should delete its version key too, or an older
/// replayed version would be refused.
/// </summary>
public sealed class RedisStringSink<T> : ISink<T>
{
    // KEYS[1]: the value's key, KEYS[2]: its version key. ARGV[1]: the record's version, ARGV[2]: the value.
    private const string UpsertScript = """
        local stored = redis.call('GET', KEYS[2])
        if stored then
          local storedVersion = tonumber(stored)
          if storedVersion == nil then
            return redis.error_reply('ERR version key ' .. KEYS[2] .. ' holds "' .. stored .. '", not a number')
          end
          if storedVersion > tonumber(ARGV[1]) then
            return 0
          end
        end
        redis.call('SET', KEYS[1], ARGV[2])
        redis.call('SET', KEYS[2], ARGV[1])
        return 1
        """;

    private readonly string _connection;
    private readonly Func<T, string> _key;
    private readonly Func<T, long> _version;
    private readonly Func<T, RedisValue> _value;

    internal RedisStringSink(string connection, Func<T, string> key, Func<T, long> version, Func<T, RedisValue> value)
    {
        _connection = connection;
        _key = key;
        _version = version;
        _value = value;
    }

    public static RedisStringSinkBuilder<T> Builder() => new();

    /// <summary>The key that holds the version of <paramref name="key"/>'s value.</summary>
    public static string VersionKey(string key) => RedisKeys.Companion(key, "version");

    public ISinkWriter<T> CreateWriter(SinkWriterContext context) =>
        new VersionedUpsertWriter<T>(_connection, $"Redis string sink '{context.OperatorName}' (subtask {context.SubtaskIndex})", UpsertScript, ToUpsert);

    private VersionedUpsert ToUpsert(T record)
    {
        var key = _key(record);
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException($"The key selector returned an empty key for record {record}.");
        }

        var value = _value(record);
        if (value.IsNull)
        {
            throw new ArgumentException($"The value of '{key}' is missing (Redis stores no nulls).");
        }

        var version = UpsertVersion.Checked(_version(record), key).ToString(CultureInfo.InvariantCulture);
        return new VersionedUpsert([key, VersionKey(key)], [version, value]);
    }
}
