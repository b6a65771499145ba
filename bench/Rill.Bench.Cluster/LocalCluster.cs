using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Rill.Bench.Cluster;

/// <summary>
/// One application-mode cluster on loopback: the job program started as a JobManager without slots, then twice as a
/// TaskManager with one slot each. Every process is killed when the cluster is disposed.
/// </summary>
internal sealed class LocalCluster : IDisposable
{
    private LocalCluster(ChildProcess jobManager, ChildProcess[] taskManagers, int restPort)
    {
        JobManager = jobManager;
        TaskManagers = taskManagers;
        RestPort = restPort;
        Rest = new RestClient(restPort);
    }

    public ChildProcess JobManager { get; }

    public ChildProcess[] TaskManagers { get; }

    public int RestPort { get; }

    public RestClient Rest { get; }

    public IEnumerable<ChildProcess> All => [JobManager, .. TaskManagers];

    public static async Task<LocalCluster> StartAsync(string name, IReadOnlyList<string> jobArguments, string logDirectory, double? heartbeatTimeoutSeconds = null)
    {
        var port = FreePort();
        string[] heartbeat = heartbeatTimeoutSeconds is { } seconds ? ["--heartbeat-timeout", seconds.ToString(CultureInfo.InvariantCulture)] : [];
        var jobManager = ChildProcess.Start($"{name}-jm", [.. jobArguments, "--role", "jobmanager", "--slots", "0", "--rest-port", port.ToString(CultureInfo.InvariantCulture), .. heartbeat], logDirectory);
        var taskManagers = new List<ChildProcess>();
        try
        {
            await jobManager.WaitForLineAsync(l => l.StandardError && l.Text.StartsWith("Rill JobManager: REST API at", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            for (var i = 1; i <= 2; i++)
            {
                taskManagers.Add(ChildProcess.Start($"{name}-tm{i}",
                    [.. jobArguments, "--role", "taskmanager", "--jobmanager", $"http://127.0.0.1:{port}", "--slots", "1", .. heartbeat], logDirectory));
            }

            return new LocalCluster(jobManager, [.. taskManagers], port);
        }
        catch
        {
            jobManager.Dispose();
            taskManagers.ForEach(t => t.Dispose());
            throw;
        }
    }

    /// <summary>The id a TaskManager process prints when it starts ("Rill TaskManager {id}: 1 slots, joining …").</summary>
    public static async Task<string> TaskManagerIdAsync(ChildProcess taskManager)
    {
        const string prefix = "Rill TaskManager ";
        var line = await taskManager.WaitForLineAsync(l => l.StandardError && l.Text.StartsWith(prefix, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        return line.Text[prefix.Length..line.Text.IndexOf(':', prefix.Length)];
    }

    /// <summary>Waits until every process exited; all must exit 0 and print their report.</summary>
    public async Task<JobReport[]> WaitForEndAsync(TimeSpan timeout)
    {
        var codes = await Task.WhenAll(All.Select(p => p.WaitForExitAsync(timeout)));
        var failed = All.Zip(codes).Where(p => p.Second != 0).Select(p => $"{p.First.Name} exited {p.Second} (see {p.First.LogPath})").ToList();
        if (failed.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", failed));
        }

        return All.Select(p => p.Report ?? throw new InvalidOperationException($"{p.Name} printed no report; see {p.LogPath}")).ToArray();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        foreach (var process in All)
        {
            process.Dispose();
        }

        Rest.Dispose();
    }
}

/// <summary>The JobManager's REST API; every call returns null instead of throwing when the JobManager is not (or no longer) there.</summary>
internal sealed class RestClient(int port) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(2) };

    public async Task<JsonElement?> GetAsync(string path)
    {
        try
        {
            using var response = await _http.GetAsync(path);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return document.RootElement.Clone();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>The id of the cluster's only job, once it is submitted.</summary>
    public async Task<string?> JobIdAsync() =>
        await GetAsync("jobs") is { } jobs && jobs.GetProperty("jobs").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } job
            ? job.GetProperty("id").GetString()
            : null;

    public void Dispose() => _http.Dispose();
}

/// <summary>The parts of <c>GET /jobs/{id}</c> the bench reads.</summary>
internal sealed record JobSnapshot(string State, IReadOnlyList<VertexSnapshot> Vertices)
{
    public static JobSnapshot Parse(JsonElement job) => new(
        job.GetProperty("state").GetString()!,
        job.GetProperty("vertices").EnumerateArray().Select(v => new VertexSnapshot(
            v.GetProperty("name").GetString()!,
            v.GetProperty("subtasks").EnumerateArray().Select(s => new SubtaskSnapshot(
                s.GetProperty("subtask").GetInt32(),
                s.GetProperty("status").GetString()!,
                s.GetProperty("taskmanager-id").ValueKind == JsonValueKind.String ? s.GetProperty("taskmanager-id").GetString() : null)).ToList(),
            v.GetProperty("metrics").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetInt64()))).ToList());

    public VertexSnapshot Vertex(string nameContains) =>
        Vertices.FirstOrDefault(v => v.Name.Contains(nameContains, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"No vertex named like '{nameContains}' in [{string.Join(", ", Vertices.Select(v => v.Name))}].");

    public bool AllSubtasks(string status) => Vertices.All(v => v.Subtasks.All(s => s.Status == status));
}

internal sealed record VertexSnapshot(string Name, IReadOnlyList<SubtaskSnapshot> Subtasks, IReadOnlyDictionary<string, long> Metrics);

internal sealed record SubtaskSnapshot(int Index, string Status, string? TaskManagerId);
