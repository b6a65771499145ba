using System.Text.Json.Serialization;

namespace Rill.Cli.Rest;

/// <summary>The answer to a savepoint or stop trigger: the id its outcome is polled under.</summary>
internal sealed record SavepointTriggerResponse([property: JsonPropertyName("request-id")] string RequestId);

/// <summary>
/// The answer to <c>GET /jobs/{id}/savepoints/{request-id}</c> (Flink's asynchronous operation result): IN_PROGRESS,
/// or COMPLETED with either the savepoint's location or the cause of its failure.
/// </summary>
internal sealed record SavepointStatusResponse(
    [property: JsonPropertyName("status")] SavepointStatusId Status,
    [property: JsonPropertyName("operation")] SavepointOperationResult? Operation)
{
    public bool IsCompleted => Status.Id == "COMPLETED";
}

internal sealed record SavepointStatusId([property: JsonPropertyName("id")] string Id);

internal sealed record SavepointOperationResult(
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("failure-cause")] SavepointFailureCause? FailureCause);

internal sealed record SavepointFailureCause(
    [property: JsonPropertyName("class")] string? ClassName,
    [property: JsonPropertyName("stack-trace")] string? StackTrace)
{
    /// <summary>
    /// The failure as one sentence: the stack trace's text before its first frame (the exception's message and those
    /// of its inner exceptions), without the type names a user does not need.
    /// </summary>
    public string Describe()
    {
        var text = string.Empty;
        var lines = (StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .TakeWhile(line => !line.StartsWith("at ", StringComparison.Ordinal) && !line.StartsWith("--- End of", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            if (!line.StartsWith("---> ", StringComparison.Ordinal))
            {
                text = text.Length == 0 ? WithoutTypeName(line) : $"{text} {line}";
            }
            else if (WithoutTypeName(line[5..]) is var inner && !text.Contains(inner, StringComparison.Ordinal))
            {
                // Wrapping exceptions usually quote their cause already; only a cause they do not name adds anything.
                text = $"{text} ({inner})";
            }
        }

        return text.Length > 0 ? text : ClassName ?? "the JobManager gave no cause";
    }

    /// <summary>"Rill.Checkpointing.CheckpointException: Cannot take..." → "Cannot take...".</summary>
    private static string WithoutTypeName(string line)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        var prefix = colon > 0 ? line[..colon] : string.Empty;
        var isTypeName = !prefix.Contains(' ', StringComparison.Ordinal) && (prefix.Contains('.', StringComparison.Ordinal) || prefix.EndsWith("Exception", StringComparison.Ordinal));
        return isTypeName ? line[(colon + 2)..] : line;
    }
}
