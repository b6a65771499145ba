using System.Collections.Concurrent;
using System.Globalization;
using Rill.Api;
using Rill.Connectors.Redis;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Tests.TestSupport;
using Rill.Windowing;
using StackExchange.Redis;

namespace Rill.Connectors.Tests.Redis;

/// <summary>
/// The Redis Streams sink appends each record once in a checkpointed job, also when the job fails and restarts from a
/// checkpoint (the restored committables are committed again and append nothing), with several subtasks writing one
/// stream; without checkpoints it appends at once.
/// </summary>
[Collection("Connector processes")]
public sealed class RedisStreamSinkTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private static readonly ConcurrentDictionary<string, int> Failures = new();
    private readonly string _checkpoints = Path.Combine(Path.GetTempPath(), "rill-redis-" + Guid.NewGuid().ToString("N")[..8]);

    public sealed record WindowCount(string User, long WindowStart, long Count);

    public void Dispose()
    {
        if (Directory.Exists(_checkpoints))
        {
            Directory.Delete(_checkpoints, recursive: true);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AFailedJobRestoredFromACheckpointLeavesEveryWindowOnceInTheStreamAndTheLatestInTheHashes(int parallelism)
    {
        const long count = 24_000;
        const int users = 4;
        var prefix = RedisJobs.UniquePrefix();
        var stream = $"{prefix}:windows";
        var token = Guid.NewGuid().ToString("N");
        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();

        var env = RedisJobs.Env(parallelism);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(50));
        env.ConfigureCheckpointing(c => c with { Directory = _checkpoints });
        env.Deployment = env.Deployment with { RestartStrategy = "fixed-delay:3:0.1" };
        // Windows fire steadily (not in bursts every 200 ms), so most checkpoints carry committables.
        env.SetAutoWatermarkInterval(TimeSpan.FromMilliseconds(10));
        var windows = env.FromSource(new Rill.Sources.DataGeneratorSource<long>(i => i, count, recordsPerSecond: 24_000),
                WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(x => x), "Clicks")
            // In the last reader's range, two thirds into it, right after a commit: a restart from scratch, or a second
            // append of the restored (already committed) entries, would show as duplicates.
            .Map(new FailRightAfterACommit(token, (count * (parallelism - 1) / parallelism) + (count / parallelism * 2 / 3), () => db.StreamLength(stream)))
            .Name("Fail Once")
            .KeyBy(i => $"user{i % users}")
            .Window(TumblingEventTimeWindows.Of<long>(TimeSpan.FromSeconds(1)))
            .Aggregate(new CountAggregate<long>(), (user, window, total) => new WindowCount(user, window.Start, total));
        windows.SinkTo(RedisHashSink<WindowCount>.Builder()
            .SetConnection(redis.Address)
            .SetKey(w => $"{prefix}:clickcounts:{w.User}")
            .SetVersion("windowStart", w => w.WindowStart)
            .SetFields(w => [("count", w.Count)])
            .Build(), "Latest counts");
        windows.SinkTo(RedisStreamSink<WindowCount>.Builder()
            .SetConnection(redis.Address)
            .SetStream(stream)
            .SetFields(w => [("user", w.User), ("windowStart", w.WindowStart), ("count", w.Count)])
            .Build(), "Window log");

        await RedisJobs.RunAsync(env, "Click counts", TimeSpan.FromSeconds(60));

        Assert.Equal(1, Failures.GetValueOrDefault(token));
        var expected = Enumerable.Range(0, users).SelectMany(u => Enumerable.Range(0, (int)(count / 1000)).Select(w => $"user{u},{w * 1000},{1000 / users}"))
            .Order(StringComparer.Ordinal);
        var entries = await db.StreamRangeAsync(stream);
        Assert.Equal(expected, entries.Select(e => $"{e["user"]},{e["windowStart"]},{e["count"]}").Order(StringComparer.Ordinal));
        foreach (var user in Enumerable.Range(0, users))
        {
            var hash = await db.HashGetAllAsync($"{prefix}:clickcounts:user{user}");
            Assert.Equal(
                [("count", (1000 / users).ToString(CultureInfo.InvariantCulture)), ("windowStart", (count - 1000).ToString(CultureInfo.InvariantCulture))],
                hash.Select(e => ((string)e.Name!, (string)e.Value!)).Order());
        }
    }

    [Fact]
    public async Task CommittingTheSameCommittablesAgainAppendsNothingAndLargeBatchesKeepTheirOrder()
    {
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        // The stream already has an ordinary entry: committed entries get ordinary (later) ids after it.
        await db.StreamAddAsync($"{prefix}:a", "n", "existing");
        var sink = (ITwoPhaseCommittingSink<int, RedisStreamCommittable>)RedisStreamSink<int>.Builder()
            .SetConnection(redis.Address)
            .SetStream(i => i % 2 == 0 ? $"{prefix}:a" : $"{prefix}:b")
            .SetFields(i => [("n", i)])
            .Build();
        using var writer = sink.CreateCommittingWriter(new SinkWriterContext(0, 1, 0, "Log"));
        foreach (var i in Enumerable.Range(0, 5000))
        {
            writer.Write(i, null);
        }

        var first = writer.PrepareCommit(1);
        writer.Write(5000, null);
        var second = writer.PrepareCommit(2);
        Assert.Empty(writer.PrepareCommit(3));

        using var committer = (IDisposable)sink.CreateCommitter();
        var commit = (ICommitter<RedisStreamCommittable>)committer;
        // Restored committables may come in any order (and twice): the committer sorts each writer's chunks.
        commit.Commit([.. first.Reverse()]);
        commit.Commit(first);
        commit.Commit([.. second, .. first]);

        var a = await db.StreamRangeAsync($"{prefix}:a");
        var b = await db.StreamRangeAsync($"{prefix}:b");
        Assert.Equal(["existing", .. Enumerable.Range(0, 2501).Select(i => (i * 2).ToString(CultureInfo.InvariantCulture))], a.Select(e => (string)e["n"]!));
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => ((i * 2) + 1).ToString(CultureInfo.InvariantCulture)), b.Select(e => (string)e["n"]!));
    }

    [Fact]
    public async Task TheCommitterKeepsOneConnectionForAllItsCommitsAndClosesItWhenDisposed()
    {
        var prefix = RedisJobs.UniquePrefix();
        var name = $"{prefix}-committer";
        // CLIENT LIST is an admin command for StackExchange.Redis.
        using var client = ConnectionMultiplexer.Connect($"127.0.0.1:{redis.Port},allowAdmin=true");
        var sink = (ITwoPhaseCommittingSink<int, RedisStreamCommittable>)RedisStreamSink<int>.Builder()
            .SetConnection($"{redis.Address},name={name}")
            .SetStream($"{prefix}:log")
            .SetFields(i => [("n", i)])
            .Build();
        using var writer = sink.CreateCommittingWriter(new SinkWriterContext(0, 1, 0, "Log"));
        var committer = sink.CreateCommitter();
        var disposable = Assert.IsAssignableFrom<IDisposable>(committer);
        Assert.Empty(ConnectionsNamed(client, name));

        writer.Write(1, null);
        committer.Commit(writer.PrepareCommit(1));
        var connections = ConnectionsNamed(client, name);
        Assert.NotEmpty(connections);
        writer.Write(2, null);
        committer.Commit(writer.PrepareCommit(2));
        Assert.Equal(connections, ConnectionsNamed(client, name));

        disposable.Dispose();
        await WaitUntilNoConnectionNamed(client, name);
        Assert.Equal(["1", "2"], (await client.GetDatabase().StreamRangeAsync($"{prefix}:log")).Select(e => (string)e["n"]!));
    }

    [Fact]
    public async Task AnExactlyOnceJobClosesItsCommittersConnectionWhenItEnds()
    {
        var prefix = RedisJobs.UniquePrefix();
        var name = $"{prefix}-job";
        // CLIENT LIST is an admin command for StackExchange.Redis.
        using var client = ConnectionMultiplexer.Connect($"127.0.0.1:{redis.Port},allowAdmin=true");
        var env = RedisJobs.Env(2);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(50));
        env.ConfigureCheckpointing(c => c with { Directory = _checkpoints });
        // About a second, so checkpoints (and commits) happen while the job runs.
        env.FromSource(new Rill.Sources.DataGeneratorSource<long>(i => i, 2000, recordsPerSecond: 2000), WatermarkStrategy<long>.NoWatermarks(), "Numbers")
            .SinkTo(RedisStreamSink<long>.Builder()
                .SetConnection($"{redis.Address},name={name}")
                .SetStream($"{prefix}:log")
                .SetFields(i => [("n", i)])
                .Build());
        var run = RedisJobs.RunAsync(env, "Committed appends");
        var seenWhileRunning = false;
        while (!run.IsCompleted)
        {
            seenWhileRunning |= ConnectionsNamed(client, name).Count > 0;
            await Task.Delay(20);
        }

        await run;
        Assert.True(seenWhileRunning, "No committer connection was seen while the job ran.");
        await WaitUntilNoConnectionNamed(client, name);
        Assert.Equal(2000, await client.GetDatabase().StreamLengthAsync($"{prefix}:log"));
    }

    [Fact]
    public async Task LargeEntriesAreCommittedInSeveralChunksInOrder()
    {
        var prefix = RedisJobs.UniquePrefix();
        var sink = (ITwoPhaseCommittingSink<int, RedisStreamCommittable>)RedisStreamSink<int>.Builder()
            .SetConnection(redis.Address)
            .SetStream($"{prefix}:big")
            .SetFields(i => [("n", i), ("payload", new string((char)('a' + i), 300_000))])
            .Build();
        using var writer = sink.CreateCommittingWriter(new SinkWriterContext(0, 1, 0, "Big"));
        foreach (var i in Enumerable.Range(0, 10))
        {
            writer.Write(i, null);
        }

        var committables = writer.PrepareCommit(1);
        // About 1 MiB per script: three entries of 300 KB each.
        Assert.Equal([3, 3, 3, 1], committables.Select(c => c.Entries.Length));
        var committer = sink.CreateCommitter();
        using (committer as IDisposable)
        {
            committer.Commit(committables);
        }

        using var client = RedisJobs.Connect(redis);
        var entries = await client.GetDatabase().StreamRangeAsync($"{prefix}:big");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{i}:{(char)('a' + i)}:300000"), entries.Select(e => $"{e["n"]}:{((string)e["payload"]!)[0]}:{((string)e["payload"]!).Length}"));
    }

    [Fact]
    public async Task WithoutCheckpointsEntriesAreAppendedInOrderAndTrimmedToTheMaximumLength()
    {
        var prefix = RedisJobs.UniquePrefix();
        var env = RedisJobs.Env(1);
        env.FromCollection(Enumerable.Range(0, 1000))
            .SinkTo(RedisStreamSink<int>.Builder()
                .SetConnection(redis.Address)
                .SetStream($"{prefix}:log")
                .SetFields(i => [("n", i), ("square", (long)i * i)])
                .SetMaxLength(100, approximate: false)
                .Build());
        await RedisJobs.RunAsync(env, "Appends");

        using var client = RedisJobs.Connect(redis);
        var entries = await client.GetDatabase().StreamRangeAsync($"{prefix}:log");
        Assert.Equal(Enumerable.Range(900, 100).Select(i => $"{i},{(long)i * i}"), entries.Select(e => $"{e["n"]},{e["square"]}"));
    }

    [Theory]
    [InlineData(DeliveryGuarantee.AtLeastOnce, true)]
    [InlineData(DeliveryGuarantee.ExactlyOnce, false)]
    public async Task AtLeastOnceAppendsWithoutWaitingForACheckpointExactlyOnceWaits(DeliveryGuarantee guarantee, bool visibleBeforeACheckpoint)
    {
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        var env = RedisJobs.Env(1);
        // No checkpoint completes while the test looks.
        env.EnableCheckpointing(TimeSpan.FromMinutes(10));
        env.ConfigureCheckpointing(c => c with { Directory = _checkpoints });
        env.FromSource(new Rill.Sources.DataGeneratorSource<long>(i => i, count: null, recordsPerSecond: 2000), WatermarkStrategy<long>.NoWatermarks(), "Endless")
            .SinkTo(RedisStreamSink<long>.Builder()
                .SetConnection(redis.Address)
                .SetStream($"{prefix}:log")
                .SetFields(i => [("n", i)])
                .SetDeliveryGuarantee(guarantee)
                .Build());
        using var cancellation = new CancellationTokenSource();
        var run = env.ExecuteAsync("Endless appends", cancellation.Token);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(visibleBeforeACheckpoint ? 20 : 1.5);
        while (DateTime.UtcNow < deadline && await db.StreamLengthAsync($"{prefix}:log") < 100)
        {
            Assert.False(run.IsCompleted, "The job ended early.");
            await Task.Delay(20);
        }

        var length = await db.StreamLengthAsync($"{prefix}:log");
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));
        if (visibleBeforeACheckpoint)
        {
            Assert.True(length >= 100, $"Only {length} entries appeared without a checkpoint.");
        }
        else
        {
            Assert.Equal(0, length);
        }
    }

    [Fact]
    public async Task AnEntryWithoutFieldsOrAStreamOfAnotherTypeFailsTheJobClearly()
    {
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        await client.GetDatabase().StringSetAsync($"{prefix}:taken", "a string");

        var noFields = await Assert.ThrowsAsync<JobExecutionException>(() => Append(prefix + ":log", _ => []));
        Assert.Contains("has no fields", RedisJobs.Messages(noFields), StringComparison.Ordinal);

        var wrongType = await Assert.ThrowsAsync<JobExecutionException>(() => Append(prefix + ":taken", i => [("n", i)]));
        Assert.Contains("WRONGTYPE", RedisJobs.Messages(wrongType), StringComparison.Ordinal);
        Assert.Contains($"{prefix}:taken", RedisJobs.Messages(wrongType), StringComparison.Ordinal);

        Task Append(string stream, Func<int, IEnumerable<(string, RedisValue)>> fields)
        {
            var env = RedisJobs.Env(1);
            env.EnableCheckpointing(TimeSpan.FromMilliseconds(50));
            env.ConfigureCheckpointing(c => c with { Directory = _checkpoints });
            // With checkpointing, a job restarts without end by default (as in Flink): this one must fail.
            env.Deployment = env.Deployment with { RestartStrategy = "none" };
            env.FromCollection(Enumerable.Range(0, 10))
                .SinkTo(RedisStreamSink<int>.Builder().SetConnection(redis.Address).SetStream(stream).SetFields(fields).Build());
            return RedisJobs.RunAsync(env, "Bad appends");
        }
    }

    /// <summary>The ids of the server's client connections that carry <paramref name="name"/> (CLIENT SETNAME).</summary>
    private static List<long> ConnectionsNamed(ConnectionMultiplexer client, string name) =>
        [.. client.GetServer(client.GetEndPoints()[0]).ClientList().Where(c => c.Name == name).Select(c => c.Id).Order()];

    /// <summary>
    /// The server notices a closed connection a moment after the client closed it; one that nobody closes lingers until
    /// the garbage collector finds its multiplexer (seconds later), so the wait is short.
    /// </summary>
    private static async Task WaitUntilNoConnectionNamed(ConnectionMultiplexer client, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (ConnectionsNamed(client, name) is { Count: > 0 } open)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{open.Count} connection(s) named {name} still open.");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Fails the job once, at the first record from <paramref name="failAt"/> on that sees the stream grow: a commit has
    /// just happened, so the latest completed checkpoint holds committables that are already in the stream, and the
    /// restore commits them a second time.
    /// </summary>
    private sealed class FailRightAfterACommit(string token, long failAt, Func<long> streamLength) : IMapFunction<long, long>
    {
        private long _lastLength = -1;

        public long Map(long value)
        {
            if (value < failAt || Failures.ContainsKey(token))
            {
                return value;
            }

            var length = streamLength();
            var grew = _lastLength >= 0 && length > _lastLength;
            _lastLength = length;
            if (grew && Failures.TryAdd(token, 1))
            {
                throw new InvalidOperationException("Injected failure.");
            }

            return value;
        }
    }
}
