using System.Globalization;
using System.Text.RegularExpressions;

namespace Rill.Cluster.Tests;

/// <summary>A process's JobManager leadership term, as its log announces it.</summary>
internal sealed record Leadership(ClusterProcess Process, string ContenderId, long Term, Uri Rest)
{
    public override string ToString() => $"{Process.Name} (pid {Process.Id}, contender {ContenderId}) term {Term}, REST {Rest}";
}

/// <summary>
/// Flink as a library with HA: the same program started several times with <c>--cluster redis://… --cluster-id ID</c>;
/// the processes elect a JobManager leader through Redis and each runs a TaskManager.
/// </summary>
internal sealed partial class HaApplication
{
    private HaApplication(ClusterHarness harness, RedisServer redis, string clusterId, IReadOnlyList<ClusterProcess> processes)
    {
        Harness = harness;
        Redis = redis;
        ClusterId = clusterId;
        Processes = processes;
    }

    public ClusterHarness Harness { get; }

    public RedisServer Redis { get; }

    /// <summary>Unique per test, so one Redis serves every test of a class without one cluster seeing another's job store.</summary>
    public string ClusterId { get; }

    public IReadOnlyList<ClusterProcess> Processes { get; }

    /// <summary>The hash the leader publishes itself in (fields id, address, token).</summary>
    public string LeaderKey => $"rill:{{{ClusterId}}}:leader";

    public static HaApplication Start(ClusterHarness harness, RedisServer redis, string program, int processes, params string[] args)
    {
        var clusterId = "ct-" + Guid.NewGuid().ToString("N")[..10];
        var started = Enumerable.Range(1, processes)
            .Select(i => harness.Start($"{program.ToLowerInvariant()}-{i}", program, [.. args, "--cluster", redis.Address, "--cluster-id", clusterId]))
            .ToList();
        return new HaApplication(harness, redis, clusterId, started);
    }

    /// <summary>Every leadership grant logged so far, in every process.</summary>
    public IReadOnlyList<Leadership> Grants() =>
        Processes.SelectMany(p => Grants(p)).OrderBy(l => l.Term).ToArray();

    /// <summary>Waits for a process among <paramref name="candidates"/> (default: all) to log a term above <paramref name="aboveTerm"/>.</summary>
    public async Task<Leadership> WaitForLeaderAsync(long aboveTerm, TimeSpan within, IEnumerable<ClusterProcess>? candidates = null)
    {
        var among = (candidates ?? Processes).ToList();
        Leadership? leader = null;
        await Harness.WaitUntilAsync($"one of {string.Join(", ", among.Select(p => p.Name))} logs 'granted leadership, term N' with N > {aboveTerm}", within, () =>
        {
            leader = among.SelectMany(p => Grants(p)).Where(l => l.Term > aboveTerm).OrderBy(l => l.Term).FirstOrDefault();
            return leader is not null;
        }, TimeSpan.FromMilliseconds(100));
        Harness.Note($"leader: {leader}");
        return leader!;
    }

    /// <summary><c>redis-cli HGET rill:{ID}:leader FIELD</c>.</summary>
    public Task<string?> LeaderFieldAsync(string field) => Redis.HGetAsync(LeaderKey, field, Harness.Deadline);

    /// <summary>The one job the application runs, once the leader's REST API lists it with running subtasks.</summary>
    public async Task<JobDetails> WaitForRunningJobAsync(Leadership leader, TimeSpan within)
    {
        JobDetails? job = null;
        await Harness.WaitUntilAsync($"the leader's GET /jobs shows the job RUNNING", within, async () =>
        {
            var jobs = await Harness.GetJobsAsync(leader.Rest);
            if (jobs.Count == 0)
            {
                return false;
            }

            Harness.Check(jobs.Count == 1, $"An application cluster runs exactly one job, but GET /jobs lists {string.Join(", ", jobs)}.");
            job = await Harness.GetJobAsync(leader.Rest, jobs[0].Id);
            Harness.Check(!job.IsTerminal, $"The job ended before the test could interfere: {job}");
            return job.State == "RUNNING" && job.Subtasks.Any(s => s.Status == "RUNNING");
        }, TimeSpan.FromMilliseconds(200), () => $"{job}");
        Harness.Note($"running: {job}");
        return job!;
    }

    /// <summary>TaskManager ids embed the process id (<c>{machine}-{pid}-{random}</c>, see TaskManagerConfiguration).</summary>
    public static bool IsTaskManagerOf(string taskManagerId, ClusterProcess process) =>
        taskManagerId.Contains($"-{process.Id.ToString(CultureInfo.InvariantCulture)}-", StringComparison.Ordinal);

    private static IEnumerable<Leadership> Grants(ClusterProcess process)
    {
        var lines = process.ErrorLines;
        var restByTerm = lines.Select(line => JobManagerLine().Match(line)).Where(m => m.Success)
            .GroupBy(m => long.Parse(m.Groups["term"].Value, CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => new Uri(g.Last().Groups["rest"].Value));
        foreach (var match in lines.Select(line => GrantedLine().Match(line)).Where(m => m.Success))
        {
            var term = long.Parse(match.Groups["term"].Value, CultureInfo.InvariantCulture);
            if (restByTerm.TryGetValue(term, out var rest))
            {
                yield return new Leadership(process, match.Groups["id"].Value, term, rest);
            }
        }
    }

    [GeneratedRegex(@"JobManager contender (?<id>\S+): granted leadership, term (?<term>\d+)\.")]
    public static partial Regex GrantedLine();

    [GeneratedRegex(@"Rill JobManager: REST API at (?<rest>http://\S+?/?),\s+RPC at \S+ \(term (?<term>\d+)\)")]
    private static partial Regex JobManagerLine();

    [GeneratedRegex(@"lost leadership of term (?<term>\d+)")]
    public static partial Regex LostLeadershipLine();
}
