using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Rill.Runtime.HighAvailability;

/// <summary>
/// HA services in Redis. Keys are namespaced by cluster id: <c>rill:{id}:leader</c> (a hash with the leader's id,
/// address and token, expiring with the lease), <c>rill:{id}:token</c> (the term counter), <c>rill:{id}:jobs</c> and
/// <c>rill:{id}:results</c>, <c>rill:{id}:checkpoint-ids</c> and <c>rill:{id}:checkpoints</c> (per job: the counter, and the
/// retained completed checkpoints as JSON).
/// Contender ids must be unique per process (a restarted process is a new contender). Tokens rely on Redis keeping
/// the counter: run it with persistence (AOF) in production, or a restarted Redis could hand out a token again.
/// Every change is one Lua script, so the token check and the write happen atomically on the server.
/// </summary>
public sealed class RedisHighAvailabilityServices : IHighAvailabilityServices
{
    // Acquire when the lease is free (new term, new token), renew when this contender holds it; always answer with
    // the current leader.
    private const string AcquireOrRenewScript = """
        local id = redis.call('HGET', KEYS[1], 'id')
        if id == false then
          local token = redis.call('INCR', KEYS[2])
          redis.call('HSET', KEYS[1], 'id', ARGV[1], 'address', ARGV[2], 'token', token)
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
        elseif id == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
        end
        return redis.call('HMGET', KEYS[1], 'id', 'address', 'token')
        """;

    private const string ReleaseScript = """
        if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    // A write into the hash KEYS[2], only with the current term's token. ARGV[2] is 'put' or 'del'.
    private const string FencedHashWriteScript = """
        local token = redis.call('HGET', KEYS[1], 'token')
        if token ~= ARGV[1] then
          return redis.error_reply('FENCED current term ' .. tostring(token))
        end
        if ARGV[2] == 'put' then
          redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
        else
          redis.call('HDEL', KEYS[2], ARGV[3])
        end
        return 1
        """;

    private const string FencedIncrementScript = """
        local token = redis.call('HGET', KEYS[1], 'token')
        if token ~= ARGV[1] then
          return redis.error_reply('FENCED current term ' .. tostring(token))
        end
        return redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
        """;

    private readonly ConnectionMultiplexer _connection;
    private readonly RedisKey _leaderKey;
    private readonly RedisKey _tokenKey;
    private readonly RedisKey _jobsKey;
    private readonly RedisKey _resultsKey;
    private readonly RedisKey _checkpointIdsKey;
    private readonly RedisKey _checkpointsKey;

    private RedisHighAvailabilityServices(ConnectionMultiplexer connection, string clusterId)
    {
        _connection = connection;
        // The {hash tag} keeps a cluster's keys in one slot of a Redis Cluster, which a multi-key script requires.
        _leaderKey = $"rill:{{{clusterId}}}:leader";
        _tokenKey = $"rill:{{{clusterId}}}:token";
        _jobsKey = $"rill:{{{clusterId}}}:jobs";
        _resultsKey = $"rill:{{{clusterId}}}:results";
        _checkpointIdsKey = $"rill:{{{clusterId}}}:checkpoint-ids";
        _checkpointsKey = $"rill:{{{clusterId}}}:checkpoints";
    }

    /// <summary>Connects to <c>redis://host:port</c> (or a StackExchange.Redis configuration string).</summary>
    public static async Task<RedisHighAvailabilityServices> ConnectAsync(string address, string clusterId)
    {
        if (string.IsNullOrWhiteSpace(clusterId) || clusterId.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Cluster id '{clusterId}' must be non-empty and contain no ':'.", nameof(clusterId));
        }

        var configuration = address.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) ? address["redis://".Length..].TrimEnd('/') : address;
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        return new RedisHighAvailabilityServices(connection, clusterId);
    }

    private IDatabase Database => _connection.GetDatabase();

    public async Task<LeaderInfo> AcquireOrRenewLeadershipAsync(string contenderId, string address, TimeSpan lease)
    {
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(AcquireOrRenewScript, [_leaderKey, _tokenKey],
            [contenderId, address, (long)lease.TotalMilliseconds]).ConfigureAwait(false))!;
        return ToLeader(result)!;
    }

    public Task ReleaseLeadershipAsync(LeaderInfo leadership) =>
        Database.ScriptEvaluateAsync(ReleaseScript, [_leaderKey], [leadership.FencingToken]);

    public async Task<LeaderInfo?> GetLeaderAsync()
    {
        var values = await Database.HashGetAsync(_leaderKey, ["id", "address", "token"]).ConfigureAwait(false);
        return values[0].IsNull ? null : new LeaderInfo(values[0]!, values[1]!, (long)values[2]);
    }

    public Task PutJobAsync(long fencingToken, JobSubmission job) =>
        FencedWriteAsync(_jobsKey, fencingToken, "put", job.JobId.ToString("N"), JsonSerializer.Serialize(job));

    public Task RemoveJobAsync(long fencingToken, Guid jobId) => FencedWriteAsync(_jobsKey, fencingToken, "del", jobId.ToString("N"), string.Empty);

    // The leader hash itself: only the holder of the term may change its address.
    public Task PublishLeaderAddressAsync(long fencingToken, string address) =>
        FencedWriteAsync(_leaderKey, fencingToken, "put", "address", address);

    public Task PutJobResultAsync(long fencingToken, JobResultEntry result) =>
        FencedWriteAsync(_resultsKey, fencingToken, "put", result.JobId.ToString("N"), JsonSerializer.Serialize(result));

    public Task RemoveJobResultAsync(long fencingToken, Guid jobId) => FencedWriteAsync(_resultsKey, fencingToken, "del", jobId.ToString("N"), string.Empty);

    public async Task<JobResultEntry?> GetJobResultAsync(Guid jobId)
    {
        var value = await Database.HashGetAsync(_resultsKey, jobId.ToString("N")).ConfigureAwait(false);
        return value.IsNull ? null : JsonSerializer.Deserialize<JobResultEntry>((string)value!);
    }

    public async Task<long> NextCheckpointIdAsync(long fencingToken, Guid jobId)
    {
        try
        {
            return (long)(await Database.ScriptEvaluateAsync(FencedIncrementScript, [_leaderKey, _checkpointIdsKey],
                [fencingToken, jobId.ToString("N")]).ConfigureAwait(false));
        }
        catch (RedisServerException e) when (e.Message.Contains("FENCED", StringComparison.Ordinal))
        {
            throw new FencingTokenException($"Refused a checkpoint id with fencing token {fencingToken.ToString(CultureInfo.InvariantCulture)}: {e.Message}.");
        }
    }

    public Task PutCheckpointPointersAsync(long fencingToken, Guid jobId, IReadOnlyList<CheckpointPointer> checkpoints) =>
        checkpoints.Count == 0
            ? FencedWriteAsync(_checkpointsKey, fencingToken, "del", jobId.ToString("N"), string.Empty)
            : FencedWriteAsync(_checkpointsKey, fencingToken, "put", jobId.ToString("N"), JsonSerializer.Serialize(checkpoints));

    public async Task<IReadOnlyList<CheckpointPointer>> GetCheckpointPointersAsync(Guid jobId)
    {
        var value = await Database.HashGetAsync(_checkpointsKey, jobId.ToString("N")).ConfigureAwait(false);
        return value.IsNull ? [] : JsonSerializer.Deserialize<List<CheckpointPointer>>((string)value!) ?? [];
    }

    private async Task FencedWriteAsync(RedisKey hash, long fencingToken, string operation, string field, string value)
    {
        try
        {
            await Database.ScriptEvaluateAsync(FencedHashWriteScript, [_leaderKey, hash],
                [fencingToken, operation, field, value]).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.Contains("FENCED", StringComparison.Ordinal))
        {
            throw new FencingTokenException($"Refused a write with fencing token {fencingToken.ToString(CultureInfo.InvariantCulture)}: {e.Message}.");
        }
    }

    public async Task<IReadOnlyList<JobSubmission>> GetJobsAsync()
    {
        var entries = await Database.HashGetAllAsync(_jobsKey).ConfigureAwait(false);
        return entries.Select(e => JsonSerializer.Deserialize<JobSubmission>((string)e.Value!)
            ?? throw new InvalidDataException($"Job store entry {e.Name} is empty.")).ToList();
    }

    private static LeaderInfo? ToLeader(RedisResult[] values) =>
        values[0].IsNull ? null : new LeaderInfo((string)values[0]!, (string)values[1]!, (long)values[2]);

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync().ConfigureAwait(false);
}
