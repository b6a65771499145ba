using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// Shows a source's progress in Redis, for monitoring only (as Flink's Kafka source commits offsets it never reads
/// back): when a checkpoint completes, each stream's consumer group gets the last id emitted before that checkpoint as
/// its last-delivered id (XGROUP SETID; the group is created when missing), so <c>XINFO GROUPS</c> shows how far the job
/// has durably read and its lag. The source never reads through the group; positions come from checkpoints only.
/// A refused update fails the task with Redis's message.
/// </summary>
internal sealed class ConsumerGroupProgress(string group)
{
    // KEYS[1]: the stream. ARGV[1]: the group, ARGV[2]: the id. A stream that does not exist yet has no group to show.
    private const string SetGroupPositionScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then
          return 0
        end
        local result = redis.pcall('XGROUP', 'SETID', KEYS[1], ARGV[1], ARGV[2])
        if type(result) == 'table' and result.err then
          if string.find(result.err, 'NOGROUP', 1, true) then
            redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], ARGV[2])
          else
            return redis.error_reply(result.err)
          end
        end
        return 1
        """;

    private readonly SortedDictionary<long, (string Stream, string Id)[]> _positionsAtCheckpoint = [];

    public string Group { get; } = group;

    /// <summary>Remembers the positions a checkpoint holds, to show them once it completes.</summary>
    public void Snapshot(long checkpointId, IEnumerable<(string Stream, string Id)> positions) =>
        _positionsAtCheckpoint[checkpointId] = [.. positions];

    /// <summary>
    /// Shows the positions of the latest completed checkpoint (one pipelined round trip, waited for: also the final
    /// checkpoint of a bounded job is shown before the reader closes its connection).
    /// </summary>
    public void CheckpointComplete(long checkpointId, IDatabase database)
    {
        var completed = _positionsAtCheckpoint.Keys.TakeWhile(id => id <= checkpointId).ToList();
        if (completed.Count == 0)
        {
            return;
        }

        var positions = _positionsAtCheckpoint[completed[^1]];
        foreach (var id in completed)
        {
            _positionsAtCheckpoint.Remove(id);
        }

        var updates = positions.Select(p => database.ScriptEvaluateAsync(SetGroupPositionScript, [p.Stream], [Group, p.Id])).ToList();
        try
        {
            Task.WhenAll(updates).GetAwaiter().GetResult();
        }
        catch (RedisException e)
        {
            throw new IOException($"Redis Streams source could not show its position in consumer group '{Group}' of {string.Join(", ", positions.Select(p => p.Stream))}: {e.Message}", e);
        }
    }
}
