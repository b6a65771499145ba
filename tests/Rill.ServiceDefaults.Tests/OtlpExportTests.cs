using Microsoft.Extensions.Configuration;

namespace Rill.ServiceDefaults.Tests;

/// <summary>Telemetry leaves a process only when OTEL_EXPORTER_OTLP_ENDPOINT names a collector.</summary>
public sealed class OtlpExportTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("  ", false)]
    [InlineData("http://localhost:4317", true)]
    public void Export_is_configured_only_when_the_endpoint_is_set(string? endpoint, bool exporting)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint })
            .Build();

        Assert.Equal(exporting, OtlpExport.IsConfigured(configuration));
    }

    [Fact]
    public void A_Rill_process_without_the_endpoint_builds_no_telemetry_providers()
    {
        using var telemetry = RillProcessTelemetry.Start(new ConfigurationBuilder().Build());

        Assert.False(telemetry.IsExporting);
        Assert.Null(telemetry.MeterProvider);
        Assert.Null(telemetry.TracerProvider);
    }
}
