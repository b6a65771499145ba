using System.Text.Json.Serialization;

namespace Rill.Cli.Rest;

/// <summary>
/// The answer to <c>GET /jobs/{id}/exceptions</c> (Flink's shape): the history of failures, oldest first, and the root
/// exception's full text.
/// </summary>
internal sealed record JobExceptionsResponse(
    [property: JsonPropertyName("root-exception")] string? RootException,
    [property: JsonPropertyName("exceptionHistory")] JobExceptionHistory? History);

internal sealed record JobExceptionHistory([property: JsonPropertyName("entries")] IReadOnlyList<JobExceptionEntry>? Entries);

internal sealed record JobExceptionEntry(
    [property: JsonPropertyName("exceptionName")] string? ExceptionName,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("taskName")] string? TaskName,
    [property: JsonPropertyName("taskManagerId")] string? TaskManagerId,
    [property: JsonPropertyName("stacktrace")] string? StackTrace);
