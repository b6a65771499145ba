using System.Globalization;
using Rill.Sinks;
using StackExchange.Redis;

namespace Rill.Connectors.Redis;

/// <summary>
/// Appends pre-committed entries once their checkpoint is complete, exactly once: per stream and writer a commit
/// marker (<c>{stream}:rill-sink:&lt;writer&gt;</c>, same cluster slot as the stream) holds the last batch and chunk
/// appended, and one script appends a chunk and advances the marker atomically, or does nothing when the marker is
/// already there (a re-commit after a restore). Entries get ordinary ids (<c>*</c>, the server's clock), so they
/// interleave correctly with other writers of the stream, and trimming by MAXLEN/MINID keeps working.
/// The chunks of one writer and stream are appended strictly one after the other: if one fails, none behind it is
/// tried, so the marker never passes a chunk that was not appended.
/// The committer keeps one connection for its life, opened at the first commit (a job whose checkpoints carry nothing
/// never connects) and closed when the sink operator closes and disposes it. Commit and Dispose both run on the sink's
/// task thread, so no locking.
/// </summary>
internal sealed class RedisStreamCommitter<T>(RedisStreamSinkOptions<T> options) : ICommitter<RedisStreamCommittable>, IDisposable
{
    // KEYS[1]: the stream, KEYS[2]: the writer's marker for it. ARGV[1]: batch, ARGV[2]: chunk, ARGV[3]: marker time to
    // live in seconds (0: keep), ARGV[4]: the number of XADD options before the id (MAXLEN ~ n), then those options, then
    // per entry its field count followed by field, value, field, value…
    private const string AppendChunkScript = """
        local marker = redis.call('GET', KEYS[2])
        local batch, chunk = tonumber(ARGV[1]), tonumber(ARGV[2])
        if marker then
          local separator = string.find(marker, ':', 1, true)
          local doneBatch = tonumber(string.sub(marker, 1, separator - 1))
          local doneChunk = tonumber(string.sub(marker, separator + 1))
          if doneBatch > batch or (doneBatch == batch and doneChunk >= chunk) then
            return 0
          end
        end
        local optionCount = tonumber(ARGV[4])
        local i = 5 + optionCount
        local appended = 0
        while i <= #ARGV do
          local fieldCount = tonumber(ARGV[i])
          local command = {KEYS[1]}
          for o = 5, 4 + optionCount do
            command[#command + 1] = ARGV[o]
          end
          command[#command + 1] = '*'
          for a = i + 1, i + 2 * fieldCount do
            command[#command + 1] = ARGV[a]
          end
          redis.call('XADD', unpack(command))
          appended = appended + 1
          i = i + 1 + 2 * fieldCount
        end
        if ARGV[3] == '0' then
          redis.call('SET', KEYS[2], ARGV[1] .. ':' .. ARGV[2])
        else
          redis.call('SET', KEYS[2], ARGV[1] .. ':' .. ARGV[2], 'EX', ARGV[3])
        end
        return appended
        """;

    private ConnectionMultiplexer? _connection;
    private bool _disposed;

    /// <summary>The marker of <paramref name="writerId"/>'s appends to <paramref name="stream"/>.</summary>
    public static string MarkerKey(string stream, string writerId) => RedisKeys.Companion(stream, $"rill-sink:{writerId}");

    public void Commit(IReadOnlyList<RedisStreamCommittable> committables)
    {
        if (committables.Count == 0)
        {
            return;
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        // A failed connect leaves none, so the next commit tries again.
        _connection ??= RedisConnectionFactory.Connect(options.Connection, "Redis Streams sink committer");
        var database = _connection.GetDatabase();
        // Writers and streams are independent and go in parallel (pipelined); within one, in order.
        var sequences = committables
            .GroupBy(c => (c.Stream, c.WriterId))
            .Select(g => AppendInOrderAsync(database, g.OrderBy(c => c.Batch).ThenBy(c => c.Chunk)))
            .ToList();
        // Throws the first failure itself (a RedisWriteException naming stream and batch), not an AggregateException.
        Task.WhenAll(sequences).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _disposed = true;
        _connection?.Dispose();
        _connection = null;
    }

    private async Task AppendInOrderAsync(IDatabase database, IEnumerable<RedisStreamCommittable> committables)
    {
        var trim = options.TrimArguments().Select(o => (RedisValue)Convert.ToString(o, CultureInfo.InvariantCulture)).ToArray();
        var timeToLive = options.CommitMarkerTimeToLive is { } ttl ? (long)Math.Ceiling(ttl.TotalSeconds) : 0;
        foreach (var committable in committables)
        {
            var arguments = new List<RedisValue>
            {
                committable.Batch,
                committable.Chunk,
                timeToLive,
                trim.Length,
            };
            arguments.AddRange(trim);
            foreach (var entry in committable.Entries)
            {
                arguments.Add(entry.Fields.Length);
                for (var i = 0; i < entry.Fields.Length; i++)
                {
                    arguments.Add(entry.Fields[i]);
                    arguments.Add(entry.Values[i]);
                }
            }

            try
            {
                await database.ScriptEvaluateAsync(AppendChunkScript, [committable.Stream, MarkerKey(committable.Stream, committable.WriterId)], [.. arguments])
                    .ConfigureAwait(false);
            }
            catch (RedisException e)
            {
                throw new RedisWriteException(
                    $"Redis Streams sink committer could not append batch {committable.Batch} (chunk {committable.Chunk}) of writer {committable.WriterId} to stream '{committable.Stream}': {e.Message}", e);
            }
        }
    }
}
