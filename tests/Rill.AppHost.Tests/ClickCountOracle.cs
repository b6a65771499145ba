using System.Globalization;
using StackExchange.Redis;

namespace Rill.AppHost.Tests;

/// <summary>
/// The test's own view of the pipeline: what the job reported (the output topic, and Redis's latest window per user) set
/// against what the clicks topic says the counts must be. Each poll reads the results first and the clicks last, so every
/// click a result counted is already in the oracle when the two are compared.
/// </summary>
internal sealed class ClickCountOracle : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private readonly WindowCounts _counts;
    private readonly TopicReader _results;
    private readonly TopicReader _clicks;
    private readonly ConnectionMultiplexer _redis;
    private Dictionary<int, (long WindowStart, long Count)> _latestInRedis = [];

    public ClickCountOracle(string kafkaBootstrapServers, string redisConnectionString, long windowMs)
    {
        _counts = new WindowCounts(windowMs);
        _results = new TopicReader(kafkaBootstrapServers, "click-counts");
        _clicks = new TopicReader(kafkaBootstrapServers, "clicks");
        _redis = ConnectionMultiplexer.Connect(redisConnectionString);
    }

    /// <summary>The first window anyone clicked in: polls until clickgen's first click was read.</summary>
    public async Task<long> FirstClickedWindowAsync(CancellationToken cancellation)
    {
        while (true)
        {
            await PollAsync(cancellation);
            if (_counts.FirstClickedWindow is { } first)
            {
                return first;
            }
        }
    }

    public long WindowOf(long timestamp) => _counts.WindowOf(timestamp);

    /// <summary>
    /// Polls until every window from <paramref name="from"/> through <paramref name="through"/> was reported with the
    /// clicks' counts, user by user (none lost, none partial); fails on the first wrong count, or when time runs out.
    /// </summary>
    public async Task WaitForWindowsAsync(long from, long through, CancellationToken cancellation)
    {
        while (true)
        {
            await PollAsync(cancellation, () => $"windows not (yet) matching the clicks: {string.Join(", ", _counts.WindowsNotMatching(from, through))}");
            if (_counts.WindowsNotMatching(from, through).Count == 0)
            {
                return;
            }
        }
    }

    /// <summary>Polls until Redis holds, for every user who clicked in <paramref name="window"/>, that window or a later one.</summary>
    public async Task WaitForRedisToHoldAsync(long window, CancellationToken cancellation)
    {
        while (true)
        {
            await PollAsync(cancellation);
            var behind = _counts.UsersWhoClickedIn(window).Where(user => !_latestInRedis.TryGetValue(user, out var latest) || latest.WindowStart < window).ToList();
            if (behind.Count == 0)
            {
                return;
            }
        }
    }

    public string Describe() =>
        $"{_counts.Describe()}; Redis: {string.Join(", ", _latestInRedis.OrderBy(e => e.Key).Select(e => $"user {e.Key} window {e.Value.WindowStart} count {e.Value.Count}"))}";

    private async Task PollAsync(CancellationToken cancellation, Func<string>? waitingFor = null)
    {
        if (cancellation.IsCancellationRequested)
        {
            Assert.Fail($"Out of time while waiting for results ({waitingFor?.Invoke() ?? "Redis"}): {Describe()}.");
        }

        await Task.Delay(PollInterval, CancellationToken.None);
        _results.ReadToCurrentEnd(cancellation).ForEach(_counts.AddReported);
        _latestInRedis = await ReadRedisAsync();
        _clicks.ReadToCurrentEnd(cancellation).ForEach(_counts.AddClick);

        var wrong = _counts.WrongCounts().ToList();
        wrong.AddRange(_latestInRedis
            .Where(e => _counts.ClicksOf(e.Value.WindowStart, e.Key) != e.Value.Count)
            .Select(e => $"Redis clickcounts:{e.Key} window {e.Value.WindowStart}: {e.Value.Count}, clicks {_counts.ClicksOf(e.Value.WindowStart, e.Key)}"));
        Assert.True(wrong.Count == 0, "Results disagree with the clicks: " + string.Join("; ", wrong));
    }

    /// <summary>The sink's hashes <c>clickcounts:{userId}</c> = {windowStart, count}: the latest window per user.</summary>
    private async Task<Dictionary<int, (long WindowStart, long Count)>> ReadRedisAsync()
    {
        var database = _redis.GetDatabase();
        var latest = new Dictionary<int, (long, long)>();
        foreach (var key in _redis.GetServers().Single().Keys(pattern: "clickcounts:*"))
        {
            var fields = (await database.HashGetAllAsync(key)).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
            var user = int.Parse(key.ToString()["clickcounts:".Length..], CultureInfo.InvariantCulture);
            Assert.True(fields.ContainsKey("windowStart") && fields.ContainsKey("count"), $"Redis {key} is not {{windowStart, count}}: {string.Join(", ", fields)}.");
            latest[user] = (long.Parse(fields["windowStart"], CultureInfo.InvariantCulture), long.Parse(fields["count"], CultureInfo.InvariantCulture));
        }

        return latest;
    }

    public void Dispose()
    {
        _results.Dispose();
        _clicks.Dispose();
        _redis.Dispose();
    }
}
