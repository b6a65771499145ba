using System.Text.Json.Serialization;

namespace Rill.Cli.Rest;

/// <summary>The answer to <c>GET /jobs</c>: every job the Dispatcher knows, running or ended.</summary>
internal sealed record JobListResponse([property: JsonPropertyName("jobs")] IReadOnlyList<JobListEntry> Jobs);

internal sealed record JobListEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("status")] string Status);
