using System.Globalization;
using System.Text.RegularExpressions;

namespace Rill.Cluster.Tests;

/// <summary>
/// A session cluster of real processes: <c>rill jobmanager</c> and <c>rill taskmanager</c>s on free ports, started the
/// way the docs tell operators to; jobs are submitted with <c>rill run</c>.
/// </summary>
internal sealed partial class SessionCluster
{
    private SessionCluster(ClusterHarness harness, ClusterProcess jobManager, Uri rest, IReadOnlyList<(ClusterProcess Process, string Id)> taskManagers)
    {
        Harness = harness;
        JobManager = jobManager;
        Rest = rest;
        TaskManagers = taskManagers;
    }

    public ClusterHarness Harness { get; }

    public ClusterProcess JobManager { get; }

    public Uri Rest { get; }

    public IReadOnlyList<(ClusterProcess Process, string Id)> TaskManagers { get; }

    /// <summary>Starts the JobManager and <paramref name="taskManagers"/> TaskManagers with 2 slots each and waits until all are registered.</summary>
    public static async Task<SessionCluster> StartAsync(ClusterHarness harness, int taskManagers, params string[] extraServerArgs)
    {
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var jobManager = harness.Start("jobmanager", Programs.Rill,
            ["jobmanager", "--port", port, "--artifact-dir", harness.PathOf("artifacts"), .. extraServerArgs]);
        var rest = await harness.WaitForRestAddressAsync(jobManager, TimeSpan.FromSeconds(30));
        Assert.Equal(port, rest.Port.ToString(CultureInfo.InvariantCulture));

        var processes = Enumerable.Range(1, taskManagers)
            .Select(i => harness.Start($"taskmanager-{i}", Programs.Rill, ["taskmanager", "--jobmanager", $"http://127.0.0.1:{port}", "--slots", "2", .. extraServerArgs]))
            .ToList();
        var started = new List<(ClusterProcess, string)>();
        foreach (var process in processes)
        {
            var line = await harness.WaitForLogAsync(process, TaskManagerLine(), TimeSpan.FromSeconds(30));
            started.Add((process, line.Groups["id"].Value));
        }

        var ids = started.Select(t => t.Item2).Order(StringComparer.Ordinal).ToArray();
        await harness.WaitUntilAsync($"GET /taskmanagers lists {string.Join(", ", ids)}", TimeSpan.FromSeconds(30),
            async () => (await harness.GetTaskManagerIdsAsync(rest)).SequenceEqual(ids));
        harness.Note($"session cluster up: REST {rest}, TaskManagers {string.Join(", ", started.Select(t => $"{t.Item2} (pid {t.Item1.Id})"))}");
        return new SessionCluster(harness, jobManager, rest, started);
    }

    /// <summary>Starts <c>rill run APP.dll --jobmanager URL --parallelism N [--detached] -- ARGS</c> and returns its process and the job id it prints first.</summary>
    public async Task<(ClusterProcess Client, string JobId)> RunAsync(string name, string application, int parallelism, bool detached, params string[] programArgs)
    {
        string[] args =
        [
            "run", Programs.AssemblyPath(application), "--jobmanager", Rest.ToString(), "--parallelism", parallelism.ToString(CultureInfo.InvariantCulture),
            .. detached ? new[] { "--detached" } : [], "--", .. programArgs,
        ];
        var client = Harness.Start(name, Programs.Rill, args);
        string? jobId = null;
        await Harness.WaitUntilAsync($"{name} prints 'Job has been submitted with JobID <id>' first", TimeSpan.FromSeconds(60), () =>
        {
            var stdout = client.StandardOutput;
            if (stdout.Contains('\n', StringComparison.Ordinal))
            {
                var first = stdout[..stdout.IndexOf('\n', StringComparison.Ordinal)].TrimEnd('\r');
                var match = SubmittedLine().Match(first);
                Harness.Check(match.Success, $"{name}'s first line is '{first}', not 'Job has been submitted with JobID <id>'.");
                jobId = match.Groups["id"].Value;
                return true;
            }

            Harness.Check(!client.HasExited, $"{name} exited with {(client.HasExited ? client.ExitCode : 0)} without printing 'Job has been submitted with JobID <id>'.");
            return false;
        }, TimeSpan.FromMilliseconds(100));
        Harness.Note($"{name} submitted job {jobId}");
        return (client, jobId!);
    }

    [GeneratedRegex(@"^Rill TaskManager (?<id>\S+): \d+ slots")]
    private static partial Regex TaskManagerLine();

    [GeneratedRegex(@"^Job has been submitted with JobID (?<id>[0-9a-f]{32})$")]
    private static partial Regex SubmittedLine();
}
