using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;
using Rill.Checkpointing;
using Rill.Runtime.Artifacts;
using Rill.Runtime.Checkpoint;
using Rill.Runtime.Dispatcher;
using Rill.Runtime.Entrypoint;
using Rill.Runtime.Messages;

namespace Rill.Runtime.Rest;

/// <summary>
/// Session mode's REST endpoints, named like Flink's <c>/jars</c> ones: upload an application's build output as a
/// zip, list and delete uploads, run one (field names of Flink's <c>/jars/{id}/run</c>).
/// </summary>
internal static class ArtifactRoutes
{
    public static void Map(WebApplication app, SessionPrograms sessions)
    {
        app.MapPost("/artifacts", async (HttpRequest request) =>
        {
            if (request.ContentLength > sessions.MaxUploadBytes)
            {
                return TooLarge(sessions);
            }

            if (!request.HasFormContentType)
            {
                return Problem(StatusCodes.Status400BadRequest, "Upload the application as multipart/form-data with a field named 'file' holding a zip of its build output folder.");
            }

            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions { MultipartBodyLengthLimit = sessions.MaxUploadBytes }).ConfigureAwait(false);
            }
            catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
            {
                return TooLarge(sessions);
            }
            catch (InvalidDataException e)
            {
                return Problem(StatusCodes.Status400BadRequest, $"The upload is not valid multipart/form-data: {e.Message}");
            }
            catch (BadHttpRequestException e)
            {
                return Problem(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLargeMessage(sessions) : e.Message);
            }

            if (form.Files.GetFile("file") is not { } file)
            {
                return Problem(StatusCodes.Status400BadRequest, "The upload has no field named 'file'.");
            }

            try
            {
                await using var zip = file.OpenReadStream();
                var artifact = await sessions.Store.SaveAsync(zip, Path.GetFileName(file.FileName), request.HttpContext.RequestAborted).ConfigureAwait(false);
                return Results.Json(new Dictionary<string, object?> { ["id"] = artifact.Id, ["filename"] = artifact.FileName, ["status"] = "success" });
            }
            catch (InvalidArtifactException e)
            {
                return Problem(StatusCodes.Status400BadRequest, e.Message);
            }
        }).DisableAntiforgery();

        app.MapGet("/artifacts", () => Results.Json(new Dictionary<string, object?>
        {
            ["files"] = sessions.Store.List().Select(a => new Dictionary<string, object?>
            {
                ["id"] = a.Id,
                ["name"] = a.FileName,
                ["uploaded"] = a.UploadedAt.ToUnixTimeMilliseconds(),
                ["entry"] = new[] { new Dictionary<string, object?> { ["name"] = a.EntryPointType, ["description"] = null } },
            }),
        }));

        app.MapDelete("/artifacts/{artifactId}", (string artifactId) =>
            sessions.Store.Delete(artifactId) ? Results.Ok() : Problem(StatusCodes.Status404NotFound, $"Artifact {artifactId} not found."));

        // TaskManagers fetch an application here to plan the job themselves.
        app.MapGet("/artifacts/{artifactId}/content", (string artifactId) =>
        {
            if (sessions.Store.Get(artifactId) is not { } artifact)
            {
                return Problem(StatusCodes.Status404NotFound, $"Artifact {artifactId} not found.");
            }

            // Through a temporary file that goes away when the response is sent: an application can be large.
            var stream = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
            System.IO.Compression.ZipFile.CreateFromDirectory(artifact.Directory, stream);
            stream.Position = 0;
            return Results.File(stream, "application/zip", artifact.FileName);
        });

        app.MapPost("/artifacts/{artifactId}/run", async (string artifactId, HttpRequest request) =>
        {
            RunRequest run;
            try
            {
                run = request.ContentLength is 0 || !request.HasJsonContentType() && request.ContentLength is null
                    ? new RunRequest()
                    : await JsonSerializer.DeserializeAsync<RunRequest>(request.Body, RunRequest.Json).ConfigureAwait(false) ?? new RunRequest();
            }
            catch (JsonException e)
            {
                return Problem(StatusCodes.Status400BadRequest, $"The run request is not valid JSON: {e.Message}");
            }

            if (run.Parallelism is < 1)
            {
                return Problem(StatusCodes.Status400BadRequest, $"parallelism must be at least 1, got {run.Parallelism}.");
            }

            Guid? requestedJobId = null;
            if (run.JobId is { } text)
            {
                if (!JobIds.TryParse(text, out var parsed))
                {
                    return Problem(StatusCodes.Status400BadRequest, $"jobId '{text}' is not a job id: job ids are 32 lowercase hexadecimal characters.");
                }

                requestedJobId = parsed;
            }

            if (SavepointRestore(run, out var restore) is { } invalid)
            {
                return invalid;
            }

            try
            {
                var jobId = await sessions.RunAsync(artifactId, run.EntryClass, run.ProgramArgsList ?? [], run.Parallelism, requestedJobId, restore).ConfigureAwait(false);
                return Results.Json(new Dictionary<string, object?> { ["jobid"] = JobIds.Format(jobId) });
            }
            catch (KeyNotFoundException e)
            {
                return Problem(StatusCodes.Status404NotFound, e.Message);
            }
            catch (DuplicateJobSubmissionException e)
            {
                // Before InvalidOperationException, its base: the id is taken, which is not the request's own fault.
                return Problem(StatusCodes.Status409Conflict, e.Message);
            }
            catch (Exception e) when (e is InvalidArtifactException or InvalidOperationException or CheckpointException)
            {
                // CheckpointException: the Dispatcher refused the savepoint (its state does not fit the planned job).
                return Problem(StatusCodes.Status400BadRequest, e.Message);
            }
        })
        // The body is read by hand (it may be empty, and a client's content type is not held against it), so OpenAPI
        // learns its shape here: Accepts<T> would also make routing refuse other content types with 415.
        .AddOpenApiOperationTransformer(async (operation, context, cancellation) => operation.RequestBody = new OpenApiRequestBody
        {
            Required = false,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(RunRequest), null, cancellation).ConfigureAwait(false) },
            },
        })
        .WithSummary("Run an uploaded application as a job; idempotent per jobId.")
        .Produces(StatusCodes.Status200OK)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>
    /// The run request's savepoint as restore settings, checked before the program is planned: a missing or corrupt
    /// savepoint is the caller's mistake (400, with the path), and planning a program only to refuse it is wasted time.
    /// </summary>
    private static IResult? SavepointRestore(RunRequest run, out SavepointRestoreSettings? restore)
    {
        restore = null;
        if (run.SavepointPath is not { } path)
        {
            return run.AllowNonRestoredState is true
                ? Problem(StatusCodes.Status400BadRequest, "allowNonRestoredState applies to a restore: give savepointPath too, or leave it out.")
                : null;
        }

        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path))
        {
            // A relative path would silently resolve against the JobManager's working directory, not the client's.
            return Problem(StatusCodes.Status400BadRequest, $"savepointPath must be an absolute path on the cluster's file system, got '{path}'.");
        }

        try
        {
            CheckpointMetadata.Read(path);
        }
        catch (CheckpointException e)
        {
            return Problem(StatusCodes.Status400BadRequest, e.Message);
        }

        restore = new SavepointRestoreSettings(path, run.AllowNonRestoredState ?? false);
        return null;
    }

    private static IResult TooLarge(SessionPrograms sessions) => Problem(StatusCodes.Status413PayloadTooLarge, TooLargeMessage(sessions));

    private static string TooLargeMessage(SessionPrograms sessions) => $"The upload exceeds the limit of {sessions.MaxUploadBytes / (1024 * 1024)} MiB.";

    private static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);

    private sealed record RunRequest
    {
        public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

        public string? EntryClass { get; init; }

        public List<string>? ProgramArgsList { get; init; }

        public int? Parallelism { get; init; }

        public string? SavepointPath { get; init; }

        public bool? AllowNonRestoredState { get; init; }

        [Description("The job's id, 32 lowercase hexadecimal characters; default a fresh one. Sending the same run with the same id again "
            + "starts no second job and answers with that id (also once it ended), so a client whose answer was lost can retry; "
            + "the same id with other settings, or the id of a job not started by a run, is 409 Conflict.")]
        public string? JobId { get; init; }
    }
}
