using Rill.Api;
using Rill.Connectors.Redis;
using Rill.Tests.TestSupport;
using StackExchange.Redis;

namespace Rill.Connectors.Tests.Redis;

/// <summary>
/// The versioned upsert sinks write a record's values only when its version is not older than the stored one: a
/// replayed older window never overwrites a newer one, for hashes and for plain strings, and Redis's own errors fail
/// the job with Redis's message.
/// </summary>
[Collection("Connector processes")]
public sealed class RedisUpsertSinkTests(RedisServer redis) : IClassFixture<RedisServer>
{
    public sealed record WindowCount(string User, long WindowStart, long Count);

    [Fact]
    public async Task AHashMovesOnlyForwardWhenOlderWindowsArriveLaterOrAreReplayed()
    {
        var prefix = RedisJobs.UniquePrefix();
        // Window 2 first, then window 1 late; an equal version overwrites (the later update of a window wins).
        await RunHashJob(prefix, [new("ann", 2000, 5), new("ann", 1000, 3), new("bob", 1000, 7), new("bob", 1000, 8)]);

        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        Assert.Equal(Hash(2000, 5), await ReadHash(db, $"{prefix}:ann"));
        Assert.Equal(Hash(1000, 8), await ReadHash(db, $"{prefix}:bob"));

        // A replay (a second run writing the old windows again) leaves the newer values alone and still moves forward.
        await RunHashJob(prefix, [new("ann", 1000, 3), new("ann", 2000, 5), new("bob", 3000, 1)]);
        Assert.Equal(Hash(2000, 5), await ReadHash(db, $"{prefix}:ann"));
        Assert.Equal(Hash(3000, 1), await ReadHash(db, $"{prefix}:bob"));
    }

    [Fact]
    public async Task AStringMovesOnlyForwardAndKeepsItsVersionInACompanionKeyOfTheSameSlot()
    {
        var prefix = RedisJobs.UniquePrefix();
        var env = RedisJobs.Env(2);
        // Window 3's record comes before window 2's in the input; both land in one key.
        env.FromCollection(new WindowCount[] { new("ann", 3000, 9), new("ann", 2000, 4), new("bob", 1000, 1) })
            .KeyBy(r => r.User)
            .SinkTo(RedisStringSink<WindowCount>.Builder()
                .SetConnection(redis.Address)
                .SetKey(r => $"{prefix}:{r.User}")
                .SetVersion(r => r.WindowStart)
                .SetValue(r => r.Count)
                .Build(), "Counts");
        await RedisJobs.RunAsync(env, "String upserts");

        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        Assert.Equal("9", (string?)await db.StringGetAsync($"{prefix}:ann"));
        Assert.Equal("3000", (string?)await db.StringGetAsync($"{{{prefix}:ann}}:version"));
        Assert.Equal("1", (string?)await db.StringGetAsync($"{prefix}:bob"));
        Assert.Equal("{user}:7:version", RedisStringSink<WindowCount>.VersionKey("{user}:7"));
    }

    [Fact]
    public async Task ARedisErrorFailsTheJobWithRedissMessage()
    {
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        await client.GetDatabase().HashSetAsync($"{prefix}:ann", "windowStart", "yesterday");
        await client.GetDatabase().StringSetAsync($"{prefix}:bob", "a string, not a hash");

        var versionError = await Assert.ThrowsAsync<JobExecutionException>(() => RunHashJob(prefix, [new("ann", 1000, 1)]));
        Assert.Contains($"version field windowStart of hash {prefix}:ann holds \"yesterday\", not a number", RedisJobs.Messages(versionError), StringComparison.Ordinal);

        var typeError = await Assert.ThrowsAsync<JobExecutionException>(() => RunHashJob(prefix, [new("bob", 1000, 1)]));
        Assert.IsType<RedisWriteException>(typeError.InnerException);
        Assert.Contains($"key '{prefix}:bob'", typeError.InnerException!.Message, StringComparison.Ordinal);
        Assert.Contains("WRONGTYPE", typeError.InnerException.Message, StringComparison.Ordinal);
    }

    // Nothing listens on port 1. StackExchange.Redis sometimes waits its whole connect timeout for a refused
    // connection: a short one keeps the test fast.
    private const string Unreachable = "127.0.0.1:1,connectTimeout=300";

    [Fact]
    public async Task AnUnreachableRedisFailsTheJobNamingTheAddress()
    {
        var env = RedisJobs.Env(1);
        env.FromElements(new WindowCount("ann", 1000, 1))
            .SinkTo(RedisHashSink<WindowCount>.Builder()
                .SetConnection(Unreachable)
                .SetKey(r => r.User)
                .SetVersion("windowStart", r => r.WindowStart)
                .SetFields(r => [("count", r.Count)])
                .Build());

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => RedisJobs.RunAsync(env, "Unreachable"));
        Assert.Contains($"Redis hash sink 'Sink' (subtask 0) cannot connect to Redis at '{Unreachable}'", RedisJobs.Messages(error), StringComparison.Ordinal);
    }

    [Fact]
    public void IncompleteOrInvalidConfigurationIsRefusedWhenTheSinkIsBuilt()
    {
        var missingKey = Assert.Throws<InvalidOperationException>(() => RedisHashSink<WindowCount>.Builder()
            .SetConnection(redis.Address).SetVersion("windowStart", r => r.WindowStart).SetFields(r => [("count", r.Count)]).Build());
        Assert.Contains("SetKey", missingKey.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RedisHashSink<WindowCount>.Builder().SetConnection(" "));
        Assert.Throws<ArgumentException>(() => RedisStringSink<WindowCount>.Builder().SetConnection("redis://"));
    }

    [Fact]
    public async Task FieldsThatRepeatTheVersionFieldAreRefused()
    {
        var prefix = RedisJobs.UniquePrefix();
        var env = RedisJobs.Env(1);
        env.FromElements(new WindowCount("ann", 1000, 1))
            .SinkTo(RedisHashSink<WindowCount>.Builder()
                .SetConnection(redis.Address)
                .SetKey(r => $"{prefix}:{r.User}")
                .SetVersion("windowStart", r => r.WindowStart)
                .SetFields(r => [("windowStart", r.WindowStart), ("count", r.Count)])
                .Build());

        var error = await Assert.ThrowsAsync<JobExecutionException>(() => RedisJobs.RunAsync(env, "Version twice"));
        Assert.Contains("include the version field 'windowStart'", RedisJobs.Messages(error), StringComparison.Ordinal);
    }

    private Task RunHashJob(string prefix, WindowCount[] records)
    {
        // Parallelism 1 keeps the input order, which is what the test is about.
        var env = RedisJobs.Env(1);
        env.FromCollection(records)
            .SinkTo(RedisHashSink<WindowCount>.Builder()
                .SetConnection(redis.Address)
                .SetKey(r => $"{prefix}:{r.User}")
                .SetVersion("windowStart", r => r.WindowStart)
                .SetFields(r => [("count", r.Count)])
                .Build(), "Click counts");
        return RedisJobs.RunAsync(env, "Hash upserts");
    }

    private static Dictionary<string, string> Hash(long windowStart, long count) => new()
    {
        ["windowStart"] = windowStart.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task<Dictionary<string, string>> ReadHash(IDatabase db, string key) =>
        (await db.HashGetAllAsync(key)).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
}
