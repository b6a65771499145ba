using Rill.Runtime.HighAvailability;

namespace Rill.Tests.HighAvailability;

/// <summary>
/// What the JobManager relies on from HA services, run against both implementations: one leader per term, a new and
/// higher fencing token for every new term, and no write accepted from a leader whose term has ended.
/// </summary>
public abstract class HighAvailabilityServicesContract
{
    private static readonly TimeSpan LongLease = TimeSpan.FromSeconds(30);
    // Long enough that a busy 2-core machine never delays a write past it by accident; expiry tests wait 2x.
    private static readonly TimeSpan ShortLease = TimeSpan.FromSeconds(1);

    protected abstract Task<IHighAvailabilityServices> ConnectAsync(string clusterId);

    private static JobSubmission Job(string name) => new(Guid.NewGuid(), name, "Samples.ClickCounts", ["--parallelism", "4"], "artifact-1");

    [Fact]
    public async Task OnlyOneContenderLeadsAndTheOthersSeeIt()
    {
        await using var a = await ConnectAsync("one-leader");
        await using var b = await ConnectAsync("one-leader");

        var first = await a.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", LongLease);
        var second = await b.AcquireOrRenewLeadershipAsync("jm-b", "http://b:8081", LongLease);

        Assert.Equal("jm-a", first.ContenderId);
        Assert.Equal(first, second); // b learns who leads instead of leading
        Assert.Equal(first, await b.GetLeaderAsync());
    }

    [Fact]
    public async Task RenewingKeepsTheTermAndItsToken()
    {
        // Renewals every 0.5 s of a 1.5 s lease, for 2 s in all: the term outlives its first lease.
        var lease = TimeSpan.FromSeconds(1.5);
        await using var ha = await ConnectAsync("renew");
        var first = await ha.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", lease);
        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.Equal(first, await ha.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", lease));
        }
    }

    [Fact]
    public async Task AfterTheLeaseExpiresAStandbyTakesOverAndTheOldLeadersWritesAreRefused()
    {
        await using var a = await ConnectAsync("takeover");
        await using var b = await ConnectAsync("takeover");
        var old = await a.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", ShortLease);
        var kept = Job("kept");
        await a.PutJobAsync(old.FencingToken, kept);

        await Task.Delay(ShortLease * 2); // jm-a is "paused" past its lease
        var standby = await b.AcquireOrRenewLeadershipAsync("jm-b", "http://b:8081", LongLease);

        Assert.Equal("jm-b", standby.ContenderId);
        Assert.True(standby.FencingToken > old.FencingToken);
        await Assert.ThrowsAsync<FencingTokenException>(() => a.PutJobAsync(old.FencingToken, Job("from the paused leader")));
        await Assert.ThrowsAsync<FencingTokenException>(() => a.RemoveJobAsync(old.FencingToken, kept.JobId));
        // The old leader cannot renew itself back either: it learns that jm-b leads and must step down.
        Assert.Equal(standby, await a.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", LongLease));
        Assert.Equal([kept.JobId], (await b.GetJobsAsync()).Select(j => j.JobId));
    }

    [Fact]
    public async Task ExpiredLeaseRefusesWritesEvenBeforeAnyoneTakesOver()
    {
        await using var ha = await ConnectAsync("expired");
        var leader = await ha.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", ShortLease);
        await Task.Delay(ShortLease * 2);

        Assert.Null(await ha.GetLeaderAsync());
        await Assert.ThrowsAsync<FencingTokenException>(() => ha.PutJobAsync(leader.FencingToken, Job("late")));
    }

    [Fact]
    public async Task SubmittedJobsSurviveTheLeaderAndAreReadByTheNext()
    {
        var job = Job("ClickCounts");
        await using (var first = await ConnectAsync("jobs"))
        {
            var leader = await first.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", LongLease);
            await first.PutJobAsync(leader.FencingToken, job);
            await first.PutJobAsync(leader.FencingToken, Job("finished"));
            var finished = (await first.GetJobsAsync()).Single(j => j.JobName == "finished");
            await first.RemoveJobAsync(leader.FencingToken, finished.JobId);
            await first.ReleaseLeadershipAsync(leader);
        }

        await using var next = await ConnectAsync("jobs");
        var successor = await next.AcquireOrRenewLeadershipAsync("jm-b", "http://b:8081", LongLease);
        Assert.Equal("jm-b", successor.ContenderId); // released, so no need to wait for the lease
        var stored = Assert.Single(await next.GetJobsAsync());
        Assert.Equal(job.JobId, stored.JobId);
        Assert.Equal(job.EntryPoint, stored.EntryPoint);
        Assert.Equal(job.Arguments, stored.Arguments);
        Assert.Equal(job.ArtifactId, stored.ArtifactId);
    }

    [Fact]
    public async Task CheckpointIdsKeepGrowingAcrossLeadersAndRetainedCheckpointsSurviveThem()
    {
        var jobId = Guid.NewGuid();
        var otherJob = Guid.NewGuid();
        IReadOnlyList<CheckpointPointer> retained;
        await using (var first = await ConnectAsync("checkpoints"))
        {
            var leader = await first.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", LongLease);
            Assert.Equal(1, await first.NextCheckpointIdAsync(leader.FencingToken, jobId));
            Assert.Equal(2, await first.NextCheckpointIdAsync(leader.FencingToken, jobId));
            Assert.Equal(1, await first.NextCheckpointIdAsync(leader.FencingToken, otherJob)); // one counter per job
            retained = [new CheckpointPointer(1, "/chk/job/chk-1/_metadata", DateTimeOffset.UnixEpoch.AddDays(1)),
                new CheckpointPointer(2, "/chk/job/chk-2/_metadata", DateTimeOffset.UnixEpoch.AddDays(2))];
            await first.PutCheckpointPointersAsync(leader.FencingToken, jobId, retained);
            await first.ReleaseLeadershipAsync(leader);
        }

        await using var next = await ConnectAsync("checkpoints");
        var successor = await next.AcquireOrRenewLeadershipAsync("jm-b", "http://b:8081", LongLease);
        Assert.Equal(retained, await next.GetCheckpointPointersAsync(jobId));
        Assert.Equal(3, await next.NextCheckpointIdAsync(successor.FencingToken, jobId)); // never an id twice
        await next.PutCheckpointPointersAsync(successor.FencingToken, jobId, []);
        Assert.Empty(await next.GetCheckpointPointersAsync(jobId));
    }

    [Fact]
    public async Task CheckpointWritesOfAnOldLeaderAreRefusedAndChangeNothing()
    {
        var jobId = Guid.NewGuid();
        await using var a = await ConnectAsync("stale-checkpoints");
        await using var b = await ConnectAsync("stale-checkpoints");
        var old = await a.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", ShortLease);
        await a.NextCheckpointIdAsync(old.FencingToken, jobId);
        IReadOnlyList<CheckpointPointer> kept = [new CheckpointPointer(1, "/chk/chk-1/_metadata", DateTimeOffset.UnixEpoch)];
        await a.PutCheckpointPointersAsync(old.FencingToken, jobId, kept);
        await Task.Delay(ShortLease * 2);
        var current = await b.AcquireOrRenewLeadershipAsync("jm-b", "http://b:8081", LongLease);

        await Assert.ThrowsAsync<FencingTokenException>(() => a.NextCheckpointIdAsync(old.FencingToken, jobId));
        await Assert.ThrowsAsync<FencingTokenException>(() => a.PutCheckpointPointersAsync(old.FencingToken, jobId, []));
        Assert.Equal(kept, await b.GetCheckpointPointersAsync(jobId));
        Assert.Equal(2, await b.NextCheckpointIdAsync(current.FencingToken, jobId));
    }

    [Fact]
    public async Task ReleasingWithAStaleTokenDoesNotDethroneTheCurrentLeader()
    {
        await using var ha = await ConnectAsync("stale-release");
        var old = await ha.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", ShortLease);
        await Task.Delay(ShortLease * 2);
        var current = await ha.AcquireOrRenewLeadershipAsync("jm-b", "http://b:8081", LongLease);

        await ha.ReleaseLeadershipAsync(old);

        Assert.Equal(current, await ha.GetLeaderAsync());
    }

    [Fact]
    public async Task PublishingWithTheCurrentTokenChangesTheAddressAndKeepsTheTerm()
    {
        await using var leaderSide = await ConnectAsync("publish");
        await using var observer = await ConnectAsync("publish");
        var leader = await leaderSide.AcquireOrRenewLeadershipAsync("jm-a", "", LongLease);

        await leaderSide.PublishLeaderAddressAsync(leader.FencingToken, "rpc=http://a:6123;rest=http://a:8081/");

        Assert.Equal(leader with { Address = "rpc=http://a:6123;rest=http://a:8081/" }, await observer.GetLeaderAsync());
        // The contender renews with the address it first gave (""): a renewal must not undo what was published.
        Assert.Equal(leader with { Address = "rpc=http://a:6123;rest=http://a:8081/" },
            await leaderSide.AcquireOrRenewLeadershipAsync("jm-a", "", LongLease));
        await leaderSide.PublishLeaderAddressAsync(leader.FencingToken, "rpc=http://a:6124;rest=http://a:8082/");
        Assert.Equal(leader with { Address = "rpc=http://a:6124;rest=http://a:8082/" }, await observer.GetLeaderAsync());
    }

    [Fact]
    public async Task PublishingWithAStaleTokenIsRefusedAndLeavesTheNewLeadersAddress()
    {
        await using var a = await ConnectAsync("stale-publish");
        await using var b = await ConnectAsync("stale-publish");
        var old = await a.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", ShortLease);

        await Task.Delay(ShortLease * 2); // jm-a is "paused" past its lease
        var standby = await b.AcquireOrRenewLeadershipAsync("jm-b", "", LongLease);
        await b.PublishLeaderAddressAsync(standby.FencingToken, "rpc=http://b:6123;rest=http://b:8081/");

        Assert.Equal("jm-b", standby.ContenderId);
        await Assert.ThrowsAsync<FencingTokenException>(() => a.PublishLeaderAddressAsync(old.FencingToken, "rpc=http://a:6123;rest=http://a:8081/"));
        // Nor does a token of a term that has not begun pass.
        await Assert.ThrowsAsync<FencingTokenException>(() => a.PublishLeaderAddressAsync(standby.FencingToken + 1, "rpc=http://x:6123;rest=http://x:8081/"));
        Assert.Equal(standby with { Address = "rpc=http://b:6123;rest=http://b:8081/" }, await a.GetLeaderAsync());
    }

    [Fact]
    public async Task PublishingDoesNotExtendTheLeaseNorWorkAfterIt()
    {
        await using var ha = await ConnectAsync("publish-expiry");
        var leader = await ha.AcquireOrRenewLeadershipAsync("jm-a", "", ShortLease);
        await ha.PublishLeaderAddressAsync(leader.FencingToken, "rpc=http://a:6123;rest=http://a:8081/");

        await Task.Delay(ShortLease * 2);

        Assert.Null(await ha.GetLeaderAsync()); // publishing did not make the lease permanent
        await Assert.ThrowsAsync<FencingTokenException>(() => ha.PublishLeaderAddressAsync(leader.FencingToken, "rpc=http://late:6123;rest=http://late:8081/"));
        Assert.Null(await ha.GetLeaderAsync());
    }

    [Fact]
    public async Task JobResultsRoundTripOutliveTheirJobAndTheirLeaderAndCanBeRemoved()
    {
        var finished = Result("FINISHED", new Dictionary<string, long>
        {
            ["numRecordsIn"] = 42,
            ["zero"] = 0,
            ["negative"] = -7,
            ["max"] = long.MaxValue,
            ["min"] = long.MinValue,
            ["odd key: ä \"q\" {x}"] = 1,
        }, failureType: null, failureMessage: null, new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.Zero).AddTicks(5_358_979));
        var failed = Result("FAILED", new Dictionary<string, long>(), "System.InvalidOperationException",
            "boom: \"quoted\"\n   at Samples.ClickCounts.Main()", new DateTimeOffset(2025, 3, 14, 17, 0, 0, TimeSpan.FromHours(2)).AddTicks(1));
        var untouched = Result("CANCELED", new Dictionary<string, long> { ["n"] = 1 }, null, null, DateTimeOffset.UnixEpoch);
        var job = Job("ClickCounts") with { JobId = finished.JobId };
        await using (var first = await ConnectAsync("results"))
        {
            var leader = await first.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", LongLease);
            Assert.Null(await first.GetJobResultAsync(finished.JobId));
            await first.PutJobAsync(leader.FencingToken, job);
            await first.PutJobResultAsync(leader.FencingToken, finished with { Status = "RUNNING-PLACEHOLDER" });
            await first.PutJobResultAsync(leader.FencingToken, finished); // replaces
            await first.PutJobResultAsync(leader.FencingToken, failed);
            await first.PutJobResultAsync(leader.FencingToken, untouched);
            await first.RemoveJobAsync(leader.FencingToken, job.JobId); // the job leaves the job store, its result stays
            await first.ReleaseLeadershipAsync(leader);
        }

        await using var next = await ConnectAsync("results");
        var successor = await next.AcquireOrRenewLeadershipAsync("jm-b", "http://b:8081", LongLease);
        Assert.Equal("jm-b", successor.ContenderId);
        Assert.Empty(await next.GetJobsAsync()); // results are not jobs
        AssertSameResult(finished, await next.GetJobResultAsync(finished.JobId));
        AssertSameResult(failed, await next.GetJobResultAsync(failed.JobId));
        Assert.Null(await next.GetJobResultAsync(Guid.NewGuid()));

        await next.RemoveJobResultAsync(successor.FencingToken, finished.JobId);
        await next.RemoveJobResultAsync(successor.FencingToken, failed.JobId);
        await next.RemoveJobResultAsync(successor.FencingToken, Guid.NewGuid()); // nothing recorded: nothing to forget

        Assert.Null(await next.GetJobResultAsync(finished.JobId));
        Assert.Null(await next.GetJobResultAsync(failed.JobId));
        AssertSameResult(untouched, await next.GetJobResultAsync(untouched.JobId));
    }

    [Fact]
    public async Task JobResultWritesWithAStaleTokenAreRefusedAndChangeNothing()
    {
        await using var a = await ConnectAsync("stale-results");
        await using var b = await ConnectAsync("stale-results");
        var old = await a.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", ShortLease);
        var kept = Result("FINISHED", new Dictionary<string, long> { ["numRecordsIn"] = 3 }, null, null, DateTimeOffset.UnixEpoch.AddDays(1));
        await a.PutJobResultAsync(old.FencingToken, kept);

        await Task.Delay(ShortLease * 2); // jm-a is "paused" past its lease
        var standby = await b.AcquireOrRenewLeadershipAsync("jm-b", "http://b:8081", LongLease);
        var late = Result("FINISHED", new Dictionary<string, long>(), null, null, DateTimeOffset.UnixEpoch);

        Assert.True(standby.FencingToken > old.FencingToken);
        await Assert.ThrowsAsync<FencingTokenException>(() => a.PutJobResultAsync(old.FencingToken, kept with { Status = "FAILED", FailureType = "X", FailureMessage = "overwritten" }));
        await Assert.ThrowsAsync<FencingTokenException>(() => a.PutJobResultAsync(old.FencingToken, late));
        await Assert.ThrowsAsync<FencingTokenException>(() => a.RemoveJobResultAsync(old.FencingToken, kept.JobId));
        await Assert.ThrowsAsync<FencingTokenException>(() => a.PutJobResultAsync(standby.FencingToken + 1, late));
        await Assert.ThrowsAsync<FencingTokenException>(() => a.RemoveJobResultAsync(standby.FencingToken + 1, kept.JobId));

        AssertSameResult(kept, await b.GetJobResultAsync(kept.JobId));
        Assert.Null(await b.GetJobResultAsync(late.JobId));
        // The refusals were about the token: the current leader's own writes go through.
        await b.RemoveJobResultAsync(standby.FencingToken, kept.JobId);
        Assert.Null(await b.GetJobResultAsync(kept.JobId));
    }

    [Fact]
    public async Task ExpiredLeaseRefusesJobResultWritesEvenBeforeAnyoneTakesOver()
    {
        await using var ha = await ConnectAsync("expired-results");
        var leader = await ha.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", ShortLease);
        var kept = Result("FINISHED", new Dictionary<string, long>(), null, null, DateTimeOffset.UnixEpoch);
        await ha.PutJobResultAsync(leader.FencingToken, kept);
        await Task.Delay(ShortLease * 2);

        await Assert.ThrowsAsync<FencingTokenException>(() => ha.PutJobResultAsync(leader.FencingToken, kept with { Status = "FAILED" }));
        await Assert.ThrowsAsync<FencingTokenException>(() => ha.RemoveJobResultAsync(leader.FencingToken, kept.JobId));
        AssertSameResult(kept, await ha.GetJobResultAsync(kept.JobId));
    }

    protected static JobResultEntry Result(string status, Dictionary<string, long> accumulators, string? failureType, string? failureMessage,
        DateTimeOffset finishedAt) =>
        new(Guid.NewGuid(), status, 12_345, accumulators, failureType, failureMessage, finishedAt);

    // Field by field: record equality would compare the accumulator dictionaries by reference.
    protected static void AssertSameResult(JobResultEntry expected, JobResultEntry? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.JobId, actual.JobId);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.NetRuntimeMs, actual.NetRuntimeMs);
        Assert.Equal(expected.Accumulators.OrderBy(a => a.Key, StringComparer.Ordinal), actual.Accumulators.OrderBy(a => a.Key, StringComparer.Ordinal));
        Assert.Equal(expected.FailureType, actual.FailureType);
        Assert.Equal(expected.FailureMessage, actual.FailureMessage);
        // DateTimeOffset equality ignores the offset; the instant (to the tick) and the offset must both survive.
        Assert.Equal((expected.FinishedAt.UtcTicks, expected.FinishedAt.Offset), (actual.FinishedAt.UtcTicks, actual.FinishedAt.Offset));
    }
}

public sealed class EmbeddedHighAvailabilityServicesTests : HighAvailabilityServicesContract
{
    private readonly Dictionary<string, EmbeddedHighAvailabilityServices> _clusters = [];

    // Embedded services live in one process: "connecting" twice to a cluster id means sharing one instance.
    protected override Task<IHighAvailabilityServices> ConnectAsync(string clusterId)
    {
        if (!_clusters.TryGetValue(clusterId, out var services))
        {
            _clusters[clusterId] = services = new EmbeddedHighAvailabilityServices();
        }

        return Task.FromResult<IHighAvailabilityServices>(services);
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisHighAvailabilityServicesTests(RedisServerFixture redis) : HighAvailabilityServicesContract
{
    // A fresh cluster id per test instance keeps tests independent on the shared server.
    private readonly string _prefix = Guid.NewGuid().ToString("N")[..8];

    protected override async Task<IHighAvailabilityServices> ConnectAsync(string clusterId) =>
        await RedisHighAvailabilityServices.ConnectAsync(redis.Server.Address, $"{_prefix}-{clusterId}");

    [Fact]
    public async Task ClusterIdsNamespaceEverything()
    {
        await using var blue = await ConnectAsync("blue");
        await using var green = await ConnectAsync("green");
        var blueLeader = await blue.AcquireOrRenewLeadershipAsync("jm-blue", "http://blue:8081", TimeSpan.FromSeconds(30));
        var greenLeader = await green.AcquireOrRenewLeadershipAsync("jm-green", "http://green:8081", TimeSpan.FromSeconds(30));
        await blue.PutJobAsync(blueLeader.FencingToken, new JobSubmission(Guid.NewGuid(), "blue job", "E", []));

        Assert.Equal("jm-green", greenLeader.ContenderId);
        Assert.Empty(await green.GetJobsAsync());
        Assert.Single(await blue.GetJobsAsync());
    }

    [Fact]
    public async Task ClusterIdsNamespaceJobResultsAndLeaderAddresses()
    {
        await using var blue = await ConnectAsync("blue");
        await using var green = await ConnectAsync("green");
        var blueLeader = await blue.AcquireOrRenewLeadershipAsync("jm-blue", "http://blue:8081", TimeSpan.FromSeconds(30));
        var greenLeader = await green.AcquireOrRenewLeadershipAsync("jm-green", "http://green:8081", TimeSpan.FromSeconds(30));
        var blueResult = Result("FINISHED", new Dictionary<string, long> { ["n"] = 1 }, null, null, DateTimeOffset.UnixEpoch);

        await blue.PutJobResultAsync(blueLeader.FencingToken, blueResult);
        await blue.PublishLeaderAddressAsync(blueLeader.FencingToken, "rpc=http://blue:6123;rest=http://blue:8081/");

        Assert.Null(await green.GetJobResultAsync(blueResult.JobId));
        Assert.Equal(greenLeader, await green.GetLeaderAsync());
        // The same job id in the other cluster is a different entry: writing and removing it leaves blue's alone.
        await green.PutJobResultAsync(greenLeader.FencingToken, blueResult with { Status = "FAILED", FailureType = "X", FailureMessage = "green" });
        AssertSameResult(blueResult, await blue.GetJobResultAsync(blueResult.JobId));
        await green.RemoveJobResultAsync(greenLeader.FencingToken, blueResult.JobId);
        AssertSameResult(blueResult, await blue.GetJobResultAsync(blueResult.JobId));
    }

    [Fact]
    public async Task AMalformedClusterIdIsRefused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => RedisHighAvailabilityServices.ConnectAsync(redis.Server.Address, "a:b"));
        Assert.Contains("a:b", error.Message);
    }
}

public sealed class RedisServerFixture : IAsyncLifetime
{
    public TestSupport.RedisServer Server { get; } = new();

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis-server";
}
