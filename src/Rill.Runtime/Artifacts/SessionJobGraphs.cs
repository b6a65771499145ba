using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Rill.Graph;
using Rill.Logging;
using Rill.Runtime.Messages;

namespace Rill.Runtime.Artifacts;

/// <summary>
/// A session TaskManager's view of the jobs it runs: on a job's first subtask it downloads the job's application from
/// the JobManager, plans it in its own load context (the graph is rebuilt, never received), and unloads it when the
/// job ends.
/// </summary>
public sealed class SessionJobGraphs : IAsyncDisposable
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<SessionJobGraphs>();
    private readonly HttpClient _http;
    private readonly HighAvailability.ILeaderRetrieval _leader;
    private readonly ArtifactStore _store;
    private readonly ConcurrentDictionary<Guid, Lazy<Task<Planned>>> _jobs = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<ArtifactInfo>>> _artifacts = new(StringComparer.Ordinal);

    /// <param name="leader">Finds the JobManager leader, whose REST API serves the uploaded applications.</param>
    public SessionJobGraphs(HighAvailability.ILeaderRetrieval leader, string? authToken, string directory)
    {
        _leader = leader;
        _http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        if (!string.IsNullOrEmpty(authToken))
        {
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", authToken);
        }

        _store = new ArtifactStore(directory);
    }

    public async Task<JobGraph> ResolveAsync(Guid jobId, ProgramReference? program)
    {
        if (program is null)
        {
            throw new InvalidOperationException($"Job {JobIds.Format(jobId)} names no program: a session TaskManager runs uploaded applications only.");
        }

        var planned = _jobs.GetOrAdd(jobId, _ => new Lazy<Task<Planned>>(() => PlanAsync(jobId, program)));
        try
        {
            return (await planned.Value.ConfigureAwait(false)).Graph;
        }
        catch
        {
            _jobs.TryRemove(new KeyValuePair<Guid, Lazy<Task<Planned>>>(jobId, planned)); // a later attempt may succeed
            throw;
        }
    }

    private async Task<Planned> PlanAsync(Guid jobId, ProgramReference program)
    {
        var download = _artifacts.GetOrAdd(program.ArtifactId, id => new Lazy<Task<ArtifactInfo>>(() => DownloadAsync(id)));
        ArtifactInfo artifact;
        try
        {
            artifact = await download.Value.ConfigureAwait(false);
        }
        catch
        {
            _artifacts.TryRemove(new KeyValuePair<string, Lazy<Task<ArtifactInfo>>>(program.ArtifactId, download)); // the next deployment tries again
            throw;
        }

        var packaged = await PackagedProgram.PlanAsync(artifact, program.EntryClass, program.Arguments, program.Parallelism)
            .WaitAsync(PackagedProgram.PlanningTimeout).ConfigureAwait(false);
        return new Planned(packaged, JobGraphGenerator.Create(packaged.Graph, jobId));
    }

    private async Task<ArtifactInfo> DownloadAsync(string artifactId)
    {
        var leader = await _leader.GetLeaderAsync(CancellationToken.None).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Cannot fetch application {artifactId}: no JobManager leader is known right now.");
        using var response = await _http.GetAsync(new Uri(new Uri(leader.RestAddress), $"artifacts/{artifactId}/content"), HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Could not fetch application {artifactId} from the JobManager: HTTP {(int)response.StatusCode}.");
        }

        await using var zip = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        return await _store.SaveAsync(zip, artifactId + ".zip", CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The job ended: its program is unloaded (the artifact stays for later jobs of the same upload).</summary>
    public void Release(JobResult result)
    {
        if (_jobs.TryRemove(result.JobId, out var planned) && planned.IsValueCreated && planned.Value.IsCompletedSuccessfully)
        {
            planned.Value.Result.Program.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var planned in _jobs.Values.Where(p => p.IsValueCreated && p.Value.IsCompletedSuccessfully))
        {
            planned.Value.Result.Program.Dispose();
        }

        _jobs.Clear();
        _http.Dispose();
        try
        {
            Directory.Delete(_store.Root, recursive: true);
        }
        catch (IOException e)
        {
            Logger.LogWarning(e, "Could not remove the TaskManager's artifact copies in {Directory}: {Reason}", _store.Root, e.Message);
        }

        return ValueTask.CompletedTask;
    }

    private sealed record Planned(PackagedProgram Program, JobGraph Graph);
}
