using System.Text.Json.Serialization;

namespace Rill.Cli.Rest;

/// <summary>The answer to <c>POST /artifacts/{id}/run</c>: the submitted job's id.</summary>
internal sealed record RunArtifactResponse([property: JsonPropertyName("jobid")] string JobId);
