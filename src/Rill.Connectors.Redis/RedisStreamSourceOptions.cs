namespace Rill.Connectors.Redis;

/// <summary>What the enumerator and the readers of a <see cref="RedisStreamSource{T}"/> share.</summary>
/// <param name="StartingId">"0": from the beginning; "$": entries added after the job started; or an id to read after.</param>
/// <param name="ReadCount">Entries per stream and XREAD at most.</param>
/// <param name="MonitoringGroup">A consumer group that shows the checkpointed positions (null: none).</param>
internal sealed record RedisStreamSourceOptions<T>(
    string Connection,
    IReadOnlyList<string> Streams,
    string StartingId,
    bool Bounded,
    Func<RedisStreamEntry, T> Deserializer,
    TimeSpan PollInterval,
    int ReadCount,
    string? MonitoringGroup)
{
    public const string Latest = RedisStreamSplit.LastEntryNow;
}
