using System.Text.Json.Serialization;

namespace Rill.Cli.Rest;

/// <summary>The answer to <c>GET /taskmanagers</c>: every TaskManager registered with the ResourceManager.</summary>
internal sealed record TaskManagerListResponse([property: JsonPropertyName("taskmanagers")] IReadOnlyList<TaskManagerEntry> TaskManagers);

internal sealed record TaskManagerEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("slotsNumber")] int SlotsNumber,
    [property: JsonPropertyName("freeSlots")] int FreeSlots);
