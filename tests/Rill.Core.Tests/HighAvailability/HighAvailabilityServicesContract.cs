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
    public async Task ReleasingWithAStaleTokenDoesNotDethroneTheCurrentLeader()
    {
        await using var ha = await ConnectAsync("stale-release");
        var old = await ha.AcquireOrRenewLeadershipAsync("jm-a", "http://a:8081", ShortLease);
        await Task.Delay(ShortLease * 2);
        var current = await ha.AcquireOrRenewLeadershipAsync("jm-b", "http://b:8081", LongLease);

        await ha.ReleaseLeadershipAsync(old);

        Assert.Equal(current, await ha.GetLeaderAsync());
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
