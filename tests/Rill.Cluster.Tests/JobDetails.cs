using System.Text.Json;

namespace Rill.Cluster.Tests;

/// <summary>One subtask attempt as <c>GET /jobs/{id}</c> shows it.</summary>
internal sealed record SubtaskView(string Vertex, int Subtask, string Status, int Attempt, string? TaskManagerId);

/// <summary>The parts of Flink's <c>GET /jobs/{id}</c> body (see src/Rill.Runtime/Rest/JobDetailsBody.cs) the tests read.</summary>
internal sealed record JobDetails(string Id, string State, int Restarts, IReadOnlyList<SubtaskView> Subtasks, string Json)
{
    public static JobDetails Parse(JsonElement body) => new(
        body.GetProperty("jid").GetString()!,
        body.GetProperty("state").GetString()!,
        body.TryGetProperty("restarts", out var restarts) ? restarts.GetInt32() : 0,
        body.GetProperty("vertices").EnumerateArray()
            .SelectMany(v => v.GetProperty("subtasks").EnumerateArray().Select(s => new SubtaskView(
                v.GetProperty("name").GetString()!,
                s.GetProperty("subtask").GetInt32(),
                s.GetProperty("status").GetString()!,
                s.GetProperty("attempt").GetInt32(),
                s.TryGetProperty("taskmanager-id", out var tm) && tm.ValueKind == JsonValueKind.String ? tm.GetString() : null)))
            .ToArray(),
        body.GetRawText());

    public bool IsTerminal => State is "FINISHED" or "FAILED" or "CANCELED";

    public IReadOnlyList<string> TaskManagerIds => Subtasks.Select(s => s.TaskManagerId).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();

    public override string ToString() =>
        $"job {Id} {State}, restarts {Restarts}: " + string.Join("; ", Subtasks.Select(s => $"{s.Vertex}[{s.Subtask}] #{s.Attempt} {s.Status} on {s.TaskManagerId}"));
}

internal static class ClusterRest
{
    public static async Task<JobDetails> GetJobAsync(this ClusterHarness cluster, Uri rest, string jobId) =>
        JobDetails.Parse(await cluster.GetJsonAsync(rest, $"jobs/{jobId}"));

    /// <summary><c>GET /jobs</c>: every job's id and status.</summary>
    public static async Task<IReadOnlyList<(string Id, string Status)>> GetJobsAsync(this ClusterHarness cluster, Uri rest) =>
        (await cluster.GetJsonAsync(rest, "jobs")).GetProperty("jobs").EnumerateArray()
            .Select(j => (j.GetProperty("id").GetString()!, j.GetProperty("status").GetString()!)).ToArray();

    /// <summary><c>GET /taskmanagers</c>: the registered TaskManagers' ids.</summary>
    public static async Task<IReadOnlyList<string>> GetTaskManagerIdsAsync(this ClusterHarness cluster, Uri rest) =>
        (await cluster.GetJsonAsync(rest, "taskmanagers")).GetProperty("taskmanagers").EnumerateArray()
            .Select(t => t.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Polls <c>GET /jobs/{id}</c> until the job is FINISHED, FAILED or CANCELED.</summary>
    public static async Task<JobDetails> WaitForJobEndAsync(this ClusterHarness cluster, Uri rest, string jobId, TimeSpan within)
    {
        JobDetails? job = null;
        await cluster.WaitUntilAsync($"job {jobId} ends", within, async () =>
        {
            job = await cluster.GetJobAsync(rest, jobId);
            return job.IsTerminal;
        }, TimeSpan.FromMilliseconds(250), () => $"{job}");
        cluster.Note($"job {jobId} ended: {job}");
        return job!;
    }
}
