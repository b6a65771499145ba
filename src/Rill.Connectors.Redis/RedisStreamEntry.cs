using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// A stream entry as the source's deserializer sees it. Turn it into your own record type: the entry is not meant to
/// travel between subtasks (its values are StackExchange.Redis types).
/// </summary>
/// <param name="Stream">The stream's key.</param>
/// <param name="Id">The entry id, <c>&lt;milliseconds&gt;-&lt;sequence&gt;</c>.</param>
/// <param name="Values">The entry's fields and values, in order.</param>
public sealed record RedisStreamEntry(string Stream, string Id, NameValueEntry[] Values)
{
    /// <summary>The milliseconds part of the id: when Redis added the entry (for <c>*</c> ids), the record's timestamp.</summary>
    public long Timestamp => (long)Math.Min(StreamEntryId.Parse(Id).Milliseconds, (ulong)long.MaxValue);

    /// <summary>The value of <paramref name="field"/>; <see cref="RedisValue.Null"/> when the entry has no such field.</summary>
    public RedisValue this[string field] => Values.FirstOrDefault(v => v.Name == field).Value;
}
