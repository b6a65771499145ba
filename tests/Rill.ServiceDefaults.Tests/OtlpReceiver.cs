using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rill.ServiceDefaults.Tests;

/// <summary>
/// A stand-in OpenTelemetry collector: accepts OTLP over HTTP (http/protobuf posts to /v1/traces, /v1/metrics,
/// /v1/logs) on a free loopback port and remembers which signals arrived, with their sizes, and the bodies of the logs.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, long Bytes)> _posts = new();
    private readonly ConcurrentQueue<byte[]> _logs = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<string> Paths => _posts.Select(p => p.Path).ToList();

    /// <summary>
    /// The log exports as text: protobuf keeps strings as UTF-8 bytes, so the scope name (the logger's category), the
    /// message and the attribute values of each record can be found in it without decoding the message.
    /// </summary>
    public string LogText => string.Join('\n', _logs.Select(body => System.Text.Encoding.UTF8.GetString(body)));

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            receiver._posts.Enqueue(($"/v1/{signal}", body.Length));
            if (signal == "logs")
            {
                receiver._logs.Enqueue(body.ToArray());
            }
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    /// <summary>Configuration as the Aspire AppHost gives it to a resource, pointed at this receiver.</summary>
    public Dictionary<string, string?> ExporterSettings() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = "service-defaults-test",
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
