using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Rill.Runtime.Dispatcher;
using Rill.Runtime.Messages;

namespace Rill.Runtime.Rest;

/// <summary>
/// Checkpoint statistics, savepoints and stop-with-savepoint with Flink's paths, bodies and asynchronous-operation
/// protocol: a trigger answers 202 with a request id at once, and <c>GET /jobs/{id}/savepoints/{request-id}</c> says
/// when the savepoint is done and where it is (a savepoint of a large state takes longer than an HTTP call should).
/// </summary>
internal static class CheckpointRoutes
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <param name="triggerSavepoint">The Dispatcher's savepoint call; null when the dispatcher offers none (the endpoints then answer 501).</param>
    public static void Map(WebApplication app, IDispatcherGateway dispatcher, Func<Guid, string?, bool, Task<string>>? triggerSavepoint, SavepointOperations operations)
    {
        app.MapGet("/jobs/{jobId}/checkpoints", async (string jobId) =>
        {
            if (!JobIds.TryParse(jobId, out var id))
            {
                return RestServer.MalformedJobId(jobId);
            }

            var details = await dispatcher.RequestJobDetailsAsync(id).ConfigureAwait(false);
            if (details is null)
            {
                return RestServer.UnknownJob(jobId);
            }

            return details.Checkpoints is { } stats ? Results.Json(CheckpointStatsBody.Create(stats)) : NotCheckpointing(jobId, StatusCodes.Status404NotFound);
        });

        app.MapPost("/jobs/{jobId}/savepoints", async (string jobId, HttpRequest request) =>
        {
            var (body, error) = await ReadAsync<SavepointRequest>(request, "savepoint").ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            // Flink's cancel-job; Rill has no savepoint-then-cancel, and stop-with-savepoint is what users of it want:
            // the sources stop after the savepoint, so nothing is processed that the savepoint does not hold.
            return await TriggerAsync(dispatcher, triggerSavepoint, operations, jobId, body!.TargetDirectory, body.CancelJob ?? false, body.TriggerId,
                body.FormatType, "target-directory").ConfigureAwait(false);
        });

        app.MapPost("/jobs/{jobId}/stop", async (string jobId, HttpRequest request) =>
        {
            var (body, error) = await ReadAsync<StopRequest>(request, "stop").ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            if (body!.Drain is true)
            {
                return RestServer.Problem(StatusCodes.Status400BadRequest,
                    "drain is not supported: Rill's stop-with-savepoint suspends the job without emitting the final watermark; send \"drain\": false or leave it out.");
            }

            return await TriggerAsync(dispatcher, triggerSavepoint, operations, jobId, body.TargetDirectory, terminate: true, body.TriggerId, body.FormatType,
                "targetDirectory").ConfigureAwait(false);
        });

        // Flink serves the status of savepoints and of stop-with-savepoint here alike.
        app.MapGet("/jobs/{jobId}/savepoints/{triggerId}", (string jobId, string triggerId) =>
        {
            if (!JobIds.TryParse(jobId, out var id))
            {
                return RestServer.MalformedJobId(jobId);
            }

            return operations.Get(id, triggerId) is { } operation
                ? Results.Json(StatusBody(operation.Collect()))
                : RestServer.Problem(StatusCodes.Status404NotFound,
                    $"No savepoint operation {triggerId} for job {jobId}: the request id is unknown, or it is old and was forgotten (the latest {operations.Capacity} are kept).");
        });
    }

    private static async Task<IResult> TriggerAsync(IDispatcherGateway dispatcher, Func<Guid, string?, bool, Task<string>>? triggerSavepoint,
        SavepointOperations operations, string jobId, string? targetDirectory, bool terminate, string? triggerId, string? formatType, string directoryField)
    {
        if (!JobIds.TryParse(jobId, out var id))
        {
            return RestServer.MalformedJobId(jobId);
        }

        if (targetDirectory is not null && (string.IsNullOrWhiteSpace(targetDirectory) || !Path.IsPathFullyQualified(targetDirectory)))
        {
            // A relative path would silently resolve against the JobManager's working directory, not the client's.
            return RestServer.Problem(StatusCodes.Status400BadRequest,
                $"{directoryField} must be an absolute path on the cluster's file system, got '{targetDirectory}'; leave it out for the default savepoint directory.");
        }

        if (formatType is not (null or "CANONICAL" or "NATIVE"))
        {
            return RestServer.Problem(StatusCodes.Status400BadRequest, $"Unknown formatType '{formatType}': use CANONICAL or NATIVE (Rill writes one format for both).");
        }

        if (triggerId is not null && !JobIds.TryParse(triggerId, out _))
        {
            return RestServer.Problem(StatusCodes.Status400BadRequest, $"'{triggerId}' is not a trigger id: trigger ids are 32 lowercase hexadecimal characters.");
        }

        var details = await dispatcher.RequestJobDetailsAsync(id).ConfigureAwait(false);
        if (details is null)
        {
            return RestServer.UnknownJob(jobId);
        }

        if (triggerSavepoint is null)
        {
            return RestServer.Problem(StatusCodes.Status501NotImplemented, "This JobManager cannot take savepoints.");
        }

        // A client that retries with its trigger id gets the operation it started, even after that stopped the job.
        if (triggerId is not null && operations.Get(id, triggerId) is not null)
        {
            return Accepted(triggerId);
        }

        if (details.Checkpoints is null)
        {
            return NotCheckpointing(jobId, StatusCodes.Status400BadRequest);
        }

        if (details.Status != JobStatus.Running)
        {
            return RestServer.Problem(StatusCodes.Status409Conflict, details.Status.IsGloballyTerminal()
                ? $"Job {jobId} has already ended ({details.Status.ToFlinkName()}): only a running job can take a savepoint."
                : $"Job {jobId} is {details.Status.ToFlinkName()}, not RUNNING: a savepoint can be taken once it runs.");
        }

        var requestId = triggerId ?? JobIds.Format(Guid.NewGuid());
        if (operations.Start(id, requestId, () => triggerSavepoint(id, targetDirectory, terminate)) is null)
        {
            return RestServer.Problem(StatusCodes.Status503ServiceUnavailable,
                $"{operations.Capacity} savepoint operations are still running; try again when some of them have completed.");
        }

        return Accepted(requestId);
    }

    private static IResult Accepted(string requestId) =>
        Results.Json(new Dictionary<string, object?> { ["request-id"] = requestId }, statusCode: StatusCodes.Status202Accepted);

    private static IResult NotCheckpointing(string jobId, int status) =>
        RestServer.Problem(status, $"Checkpointing has not been enabled for job {jobId}: it takes no checkpoints or savepoints (enable it with EnableCheckpointing).");

    /// <summary>Flink's AsynchronousOperationResult: the status, then either the savepoint's location or why it failed.</summary>
    private static Dictionary<string, object?> StatusBody(SavepointOperation operation)
    {
        if (!operation.Result.IsCompleted)
        {
            return new Dictionary<string, object?> { ["status"] = new Dictionary<string, object?> { ["id"] = "IN_PROGRESS" } };
        }

        var result = operation.Result.IsCompletedSuccessfully
            ? new Dictionary<string, object?> { ["location"] = operation.Result.Result }
            : new Dictionary<string, object?> { ["failure-cause"] = FailureCause(operation.Result.Exception?.InnerException) };
        return new Dictionary<string, object?>
        {
            ["status"] = new Dictionary<string, object?> { ["id"] = "COMPLETED" },
            ["operation"] = result,
        };
    }

    private static Dictionary<string, object?> FailureCause(Exception? failure)
    {
        var cause = failure ?? new OperationCanceledException("The savepoint was canceled.");
        return new Dictionary<string, object?>
        {
            ["class"] = cause.GetType().FullName,
            ["stack-trace"] = cause.ToString(),
        };
    }

    /// <summary>The optional JSON body; a malformed one or an unknown field (a typo that would be ignored otherwise) is a 400.</summary>
    private static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpRequest request, string what)
        where T : new()
    {
        try
        {
            var body = request.ContentLength is 0 || !request.HasJsonContentType() && request.ContentLength is null
                ? new T()
                : await JsonSerializer.DeserializeAsync<T>(request.Body, Json).ConfigureAwait(false) ?? new T();
            return (body, null);
        }
        catch (JsonException e)
        {
            return (default, RestServer.Problem(StatusCodes.Status400BadRequest, $"The {what} request is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>The body of <c>POST /jobs/{id}/savepoints</c>, with Flink's field names.</summary>
    private sealed record SavepointRequest
    {
        [JsonPropertyName("target-directory")]
        public string? TargetDirectory { get; init; }

        [JsonPropertyName("cancel-job")]
        public bool? CancelJob { get; init; }

        public string? TriggerId { get; init; }

        public string? FormatType { get; init; }
    }

    /// <summary>The body of <c>POST /jobs/{id}/stop</c>, with Flink's field names.</summary>
    private sealed record StopRequest
    {
        public string? TargetDirectory { get; init; }

        public bool? Drain { get; init; }

        public string? TriggerId { get; init; }

        public string? FormatType { get; init; }
    }
}
