using Microsoft.AspNetCore.Http;
using Rill.Runtime.Observability;

namespace Rill.ServiceDefaults;

/// <summary>
/// Which HTTP calls become spans. Probes would bury everything else (a kubelet or the AppHost asks every few seconds),
/// and so would Rill's control plane: heartbeats and slot reports are gRPC calls every second or two per TaskManager,
/// while the spans worth seeing are the job's own (submission, deployment, checkpoints, rescales).
/// </summary>
internal static class TelemetryFilters
{
    public static bool TraceIncomingRequest(HttpContext context) =>
        !HealthEndpoints.IsProbe(context.Request.Path) && !IsGrpc(context.Request.ContentType);

    public static bool TraceOutgoingRequest(HttpRequestMessage request) => !IsGrpc(request.Content?.Headers.ContentType?.MediaType);

    private static bool IsGrpc(string? contentType) => contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
}
