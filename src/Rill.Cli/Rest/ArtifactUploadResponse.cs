using System.Text.Json.Serialization;

namespace Rill.Cli.Rest;

/// <summary>The answer to <c>POST /artifacts</c>: the id later requests name the uploaded application by.</summary>
internal sealed record ArtifactUploadResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("filename")] string? FileName);
