using System.Text.Json.Serialization;

namespace Rill.Cli.Rest;

/// <summary>
/// The body of <c>POST /jobs/{id}/savepoints</c> (Flink's field names): no directory means the cluster's default
/// savepoint directory.
/// </summary>
internal sealed record SavepointTriggerRequest(
    [property: JsonPropertyName("target-directory")] string? TargetDirectory,
    [property: JsonPropertyName("cancel-job")] bool CancelJob);

/// <summary>The body of <c>POST /jobs/{id}/stop</c> (Flink's field names); Rill supports only <c>drain: false</c>.</summary>
internal sealed record StopWithSavepointRequest(
    [property: JsonPropertyName("targetDirectory")] string? TargetDirectory,
    [property: JsonPropertyName("drain")] bool Drain);
