using System.Text.Json.Serialization;

namespace Rill.Cli.Rest;

/// <summary>
/// The parts of <c>GET /jobs/{id}</c> the CLI shows (Flink's kebab-case keys, epoch-millisecond times, -1 for "not yet").
/// Unknown keys are ignored, so a newer server with more fields still works.
/// </summary>
internal sealed record JobDetailsResponse(
    [property: JsonPropertyName("jid")] string JobId,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("start-time")] long StartTime,
    [property: JsonPropertyName("end-time")] long EndTime,
    [property: JsonPropertyName("duration")] long Duration,
    [property: JsonPropertyName("restarts")] int Restarts,
    [property: JsonPropertyName("vertices")] IReadOnlyList<JobVertexResponse>? Vertices);

internal sealed record JobVertexResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("parallelism")] int Parallelism,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("subtasks")] IReadOnlyList<JobSubtaskResponse>? Subtasks);

internal sealed record JobSubtaskResponse(
    [property: JsonPropertyName("subtask")] int Subtask,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("taskmanager-id")] string? TaskManagerId);
