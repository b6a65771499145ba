using Microsoft.Extensions.Configuration;

namespace Rill.ServiceDefaults;

/// <summary>
/// Telemetry leaves the process only when a collector is named: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the Aspire AppHost
/// sets it for every resource; OpenTelemetry's own variables such as <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> and
/// <c>OTEL_SERVICE_NAME</c> are read by the exporter itself).
/// </summary>
internal static class OtlpExport
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[EndpointKey]);
}
