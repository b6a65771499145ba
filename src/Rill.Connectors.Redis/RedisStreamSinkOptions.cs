using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>What every Redis Streams sink writer and committer needs: where, which stream, the entry's fields, trimming.</summary>
internal sealed record RedisStreamSinkOptions<T>(
    string Connection,
    Func<T, string> Stream,
    Func<T, IEnumerable<(string Field, RedisValue Value)>> Fields,
    long? MaxLength,
    bool ApproximateTrimming,
    TimeSpan? CommitMarkerTimeToLive)
{
    /// <summary>The record as a stream entry, checked: a stream name, at least one field, no empty names, no null values.</summary>
    public (string Stream, RedisStreamCommittable.Entry Entry) Format(T record)
    {
        var stream = Stream(record);
        if (string.IsNullOrEmpty(stream))
        {
            throw new ArgumentException($"The stream selector returned an empty stream name for record {record}.");
        }

        var fields = new List<string>();
        var values = new List<byte[]>();
        foreach (var (field, value) in Fields(record))
        {
            if (string.IsNullOrEmpty(field))
            {
                throw new ArgumentException($"A field of an entry for stream '{stream}' has an empty name.");
            }

            if (value.IsNull)
            {
                throw new ArgumentException($"Field '{field}' of an entry for stream '{stream}' has no value (Redis stores no nulls).");
            }

            fields.Add(field);
            values.Add((byte[]?)value ?? []);
        }

        if (fields.Count == 0)
        {
            throw new ArgumentException($"An entry for stream '{stream}' has no fields (Redis Streams entries need at least one).");
        }

        return (stream, new RedisStreamCommittable.Entry([.. fields], [.. values]));
    }

    /// <summary>The XADD options before the id: <c>MAXLEN ~ n</c> (or <c>=</c>) when trimming, else nothing.</summary>
    public IEnumerable<object> TrimArguments() =>
        MaxLength is { } max ? ["MAXLEN", ApproximateTrimming ? "~" : "=", max] : [];
}
