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

/// <summary>
/// The JobManager's REST API on Kestrel, with Flink's paths and body shapes. Errors are RFC 7807 problem details.
/// Binds to loopback only.
/// </summary>
public sealed class RestServer(IDispatcherGateway dispatcher, IResourceManagerGateway resourceManager, int port) : IAsyncDisposable
{
    private WebApplication? _app;

    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellation)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, port));
        builder.Services.AddProblemDetails();
        _app = builder.Build();
        _app.UseExceptionHandler();
        _app.UseStatusCodePages();
        MapRoutes(_app);
        await _app.StartAsync(cancellation).ConfigureAwait(false);
        var bound = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    private void MapRoutes(WebApplication app)
    {
        app.MapGet("/config", () => Results.Json(new Dictionary<string, object?>
        {
            ["refresh-interval"] = 3000,
            ["timezone-name"] = "UTC",
            ["flink-version"] = RillVersion,
            ["features"] = new Dictionary<string, bool> { ["web-submit"] = false, ["web-cancel"] = true },
        }));

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
                    ["timeSinceLastHeartbeat"] = 0,
                }),
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

    private async Task<IResult> WithJobAsync(string jobId, Func<JobDetails, IResult> render)
    {
        if (!JobIds.TryParse(jobId, out var id))
        {
            return MalformedJobId(jobId);
        }

        var details = await dispatcher.RequestJobDetailsAsync(id).ConfigureAwait(false);
        return details is null ? UnknownJob(jobId) : render(details);
    }

    private static IResult MalformedJobId(string jobId) =>
        Problem(StatusCodes.Status400BadRequest, $"'{jobId}' is not a job id: job ids are 32 lowercase hexadecimal characters.");

    private static IResult UnknownJob(string jobId) => Problem(StatusCodes.Status404NotFound, $"Job {jobId} not found.");

    private static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);

    private static readonly string RillVersion = typeof(RestServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
