using System.Text.Json.Serialization;

namespace Rill.Cli.Rest;

/// <summary>
/// The body of <c>POST /artifacts/{id}/run</c> (Flink's jar-run body): nulls are sent as nulls, so the server applies
/// its own defaults (the assembly's entry point, the program's or the cluster's parallelism, no savepoint). The job id
/// is always the client's, so the same body sent again is the same job, never a second one.
/// </summary>
internal sealed record RunArtifactRequest(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("entryClass")] string? EntryClass,
    [property: JsonPropertyName("programArgsList")] IReadOnlyList<string> ProgramArguments,
    [property: JsonPropertyName("parallelism")] int? Parallelism,
    [property: JsonPropertyName("savepointPath")] string? SavepointPath = null,
    [property: JsonPropertyName("allowNonRestoredState")] bool? AllowNonRestoredState = null);
