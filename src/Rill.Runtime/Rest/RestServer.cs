using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rill.Runtime.Dispatcher;
using Rill.Runtime.Messages;
using Rill.Runtime.ResourceManager;

namespace Rill.Runtime.Rest;

/// <summary>Where and how the REST API listens. Loopback by default; any other address requires a bearer token.</summary>
public sealed record RestOptions(int Port, IPAddress? BindAddress = null, string? AuthToken = null)
{
    public IPAddress Address => BindAddress ?? IPAddress.Loopback;
}

/// <summary>
/// The JobManager's REST API on Kestrel, with Flink's paths and body shapes, an OpenAPI document at
/// <c>/openapi/v1.json</c>, and RFC 7807 problem details on every error. Submitting work through it means running
/// code, so it binds to loopback unless a bearer token protects it.
/// </summary>
/// <param name="clusterConfig">Entries added to <c>GET /config</c>, e.g. the RPC address TaskManagers register at.</param>
public sealed class RestServer(IDispatcherGateway dispatcher, IResourceManagerGateway resourceManager, RestOptions options,
    IReadOnlyDictionary<string, object?>? clusterConfig = null, Entrypoint.SessionPrograms? sessions = null) : IAsyncDisposable
{
    private WebApplication? _app;

    private readonly SavepointOperations _savepoints = new();

    /// <summary>How long a stopping REST API waits for clients to read the outcome of finished savepoint operations.</summary>
    private static readonly TimeSpan SavepointCollectionLimit = TimeSpan.FromSeconds(5);

    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellation)
    {
        if (options.AuthToken is { } configured && string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException("The REST auth token must not be empty or blank.");
        }

        if (!IPAddress.IsLoopback(options.Address) && string.IsNullOrEmpty(options.AuthToken))
        {
            throw new InvalidOperationException(
                $"Refusing to serve the REST API on {options.Address} without an auth token: anyone who can reach it could run code. " +
                "Set an auth token, or bind to loopback.");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Only errors, on Rill's console (RILL_CONSOLE_LOG): an unhandled exception behind a 500 must leave a trace.
        builder.Logging.AddProvider(Rill.Logging.RillLogging.CreateConsoleProvider()).SetMinimumLevel(LogLevel.Error)
            // An unready process answers 503 to each probe, and the prober reports it; an error line per probe (every
            // second under Aspire, while a TaskManager registers or leaves) would bury the errors that matter.
            .AddFilter(Observability.HealthEndpoints.HealthCheckServiceCategory, LogLevel.None);
        Rill.Runtime.Rpc.EmbeddedHostLifetime.Use(builder.Services);
        // Long-lived calls (TaskManager connections, downloads) must not hold a stopping process for the default 30 s.
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Address, options.Port);
            // Uploads are checked against the session limit by the upload endpoint; other bodies are small.
            kestrel.Limits.MaxRequestBodySize = sessions is null ? 1024 * 1024 : sessions.MaxUploadBytes + 1024 * 1024;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        // A JobManager that answers is one that serves: with HA only the leader runs this server.
        Observability.HealthEndpoints.AddChecks(builder.Services, "jobmanager",
            () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy("The JobManager serves its REST API."));
        var loopbackOnly = IPAddress.IsLoopback(options.Address);
        if (loopbackOnly)
        {
            // Without this a web page could reach the loopback API through DNS rebinding (a name that resolves to
            // 127.0.0.1): only requests addressed to the loopback names are served.
            builder.Services.AddHostFiltering(filtering => filtering.AllowedHosts = ["localhost", "127.0.0.1", "[::1]"]);
        }

        _app = builder.Build();
        if (loopbackOnly)
        {
            _app.UseHostFiltering();
        }

        _app.UseExceptionHandler();
        _app.UseStatusCodePages();
        if (options.AuthToken is { Length: > 0 } token)
        {
            _app.Use(async (context, next) =>
            {
                // Probes (kubelet, the Aspire host) carry no token, and the answers reveal nothing but up or ready.
                if (!Observability.HealthEndpoints.IsProbe(context.Request.Path) && !HasToken(context.Request, token))
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await Problem(StatusCodes.Status401Unauthorized, "A bearer token is required: send 'Authorization: Bearer <token>'.").ExecuteAsync(context).ConfigureAwait(false);
                    return;
                }

                await next(context).ConfigureAwait(false);
            });
        }

        _app.MapOpenApi();
        Observability.HealthEndpoints.Map(_app);
        MapRoutes(_app);
        // Savepoints are the Dispatcher's own call, not yet one of its gateway's: a gateway without it gets 501s.
        CheckpointRoutes.Map(_app, dispatcher, dispatcher is Dispatcher.Dispatcher local ? local.TriggerSavepointAsync : null, _savepoints);
        if (sessions is not null)
        {
            ArtifactRoutes.Map(_app, sessions);
        }
        await _app.StartAsync(cancellation).ConfigureAwait(false);
        var bound = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    private static bool HasToken(HttpRequest request, string token)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Compare hashes in constant time: comparing the raw strings would leak the token's length.
        var given = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(header[prefix.Length..].Trim()));
        var expected = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, expected);
    }

    private void MapRoutes(WebApplication app)
    {
        app.MapGet("/config", () =>
        {
            var config = new Dictionary<string, object?>
            {
                ["refresh-interval"] = 3000,
                ["timezone-name"] = "UTC",
                ["flink-version"] = RillVersion,
                ["features"] = new Dictionary<string, bool> { ["web-submit"] = sessions is not null, ["web-cancel"] = true },
            };
            foreach (var (key, value) in clusterConfig ?? new Dictionary<string, object?>())
            {
                config[key] = value;
            }

            return Results.Json(config);
        });

        app.MapGet("/overview", async () =>
        {
            var taskManagers = await resourceManager.RequestTaskManagersAsync().ConfigureAwait(false);
            var jobs = await dispatcher.ListJobsAsync().ConfigureAwait(false);
            return Results.Json(new Dictionary<string, object>
            {
                ["taskmanagers"] = taskManagers.Count,
                ["slots-total"] = taskManagers.Sum(t => t.SlotsNumber),
                ["slots-available"] = taskManagers.Sum(t => t.FreeSlots),
                ["jobs-running"] = jobs.Count(j => !j.Status.IsGloballyTerminal()),
                ["jobs-finished"] = jobs.Count(j => j.Status == JobStatus.Finished),
                ["jobs-cancelled"] = jobs.Count(j => j.Status == JobStatus.Canceled),
                ["jobs-failed"] = jobs.Count(j => j.Status == JobStatus.Failed),
                ["flink-version"] = RillVersion,
            });
        });

        app.MapGet("/taskmanagers", async () =>
        {
            var taskManagers = await resourceManager.RequestTaskManagersAsync().ConfigureAwait(false);
            return Results.Json(new
            {
                taskmanagers = taskManagers.Select(t => new Dictionary<string, object>
                {
                    ["id"] = t.Id,
                    ["slotsNumber"] = t.SlotsNumber,
                    ["freeSlots"] = t.FreeSlots,
                    ["timeSinceLastHeartbeat"] = SinceLastHeartbeat(t),
                }),
            });
        });

        app.MapGet("/taskmanagers/{taskManagerId}", async (string taskManagerId) =>
        {
            var taskManager = (await resourceManager.RequestTaskManagersAsync().ConfigureAwait(false)).FirstOrDefault(t => t.Id == taskManagerId);
            return taskManager is null
                ? Problem(StatusCodes.Status404NotFound, $"TaskManager {taskManagerId} not found.")
                : Results.Json(new Dictionary<string, object>
                {
                    ["id"] = taskManager.Id,
                    ["slotsNumber"] = taskManager.SlotsNumber,
                    ["freeSlots"] = taskManager.FreeSlots,
                    ["registeredAt"] = taskManager.RegisteredAt.ToUnixTimeMilliseconds(),
                    ["timeSinceLastHeartbeat"] = SinceLastHeartbeat(taskManager),
                    ["metrics"] = taskManager.Metrics is not { } metrics ? new Dictionary<string, long>() : new Dictionary<string, long>
                    {
                        ["dataPlaneBytesSent"] = metrics.DataBytesSent,
                        ["maxInFlightBytesPerChannel"] = metrics.MaxInFlightBytesPerChannel,
                        ["maxCreditBytesPerChannel"] = metrics.MaxCreditBytesPerChannel,
                    },
                });
        });

        app.MapGet("/jobs", async () =>
        {
            var jobs = await dispatcher.ListJobsAsync().ConfigureAwait(false);
            return Results.Json(new { jobs = jobs.Select(j => new { id = JobIds.Format(j.JobId), status = j.Status.ToFlinkName() }) });
        });

        app.MapGet("/jobs/{jobId}", async (string jobId) => await WithJobAsync(jobId, details => Results.Json(JobDetailsBody.Create(details))).ConfigureAwait(false));

        app.MapGet("/jobs/{jobId}/plan", async (string jobId) => await WithJobAsync(jobId, details => Results.Json(JobDetailsBody.Plan(details))).ConfigureAwait(false));

        app.MapGet("/jobs/{jobId}/exceptions", async (string jobId) => await WithJobAsync(jobId, details => Results.Json(JobDetailsBody.Exceptions(details))).ConfigureAwait(false));

        app.MapGet("/jobs/{jobId}/metrics", async (string jobId) => await WithJobAsync(jobId, details => Results.Json(JobDetailsBody.Metrics(details))).ConfigureAwait(false));

        app.MapMethods("/jobs/{jobId}", ["PATCH"], async (string jobId, string? mode) =>
        {
            if (mode is not (null or "cancel"))
            {
                return Problem(StatusCodes.Status400BadRequest, $"Unknown mode '{mode}': the only mode is 'cancel'.");
            }

            if (!JobIds.TryParse(jobId, out var id))
            {
                return MalformedJobId(jobId);
            }

            return await dispatcher.CancelJobAsync(id).ConfigureAwait(false) ? Results.Accepted() : UnknownJob(jobId);
        });
    }

    private static long SinceLastHeartbeat(TaskManagerInfo taskManager) =>
        (long)(DateTimeOffset.UtcNow - (taskManager.LastHeartbeat ?? taskManager.RegisteredAt)).TotalMilliseconds;

    private async Task<IResult> WithJobAsync(string jobId, Func<JobDetails, IResult> render)
    {
        if (!JobIds.TryParse(jobId, out var id))
        {
            return MalformedJobId(jobId);
        }

        var details = await dispatcher.RequestJobDetailsAsync(id).ConfigureAwait(false);
        return details is null ? UnknownJob(jobId) : render(details);
    }

    internal static IResult MalformedJobId(string jobId) =>
        Problem(StatusCodes.Status400BadRequest, $"'{jobId}' is not a job id: job ids are 32 lowercase hexadecimal characters.");

    internal static IResult UnknownJob(string jobId) => Problem(StatusCodes.Status404NotFound, $"Job {jobId} not found.");

    internal static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);

    private static readonly string RillVersion = typeof(RestServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            // A stop-with-savepoint's client may still be polling for the path: at most a few seconds, and only then.
            await _savepoints.WaitUntilCollectedAsync(SavepointCollectionLimit).ConfigureAwait(false);
            try
            {
                await _app.StopAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout passed with calls still open: Kestrel aborted them, which is what stopping means here.
            }
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
