using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rill.Metrics;

/// <summary>
/// Where Rill reports what it does, through .NET's own diagnostics APIs so that the engine depends on no telemetry SDK:
/// one <see cref="Meter"/> and one <see cref="ActivitySource"/>, both named <c>Rill</c>. Whoever wants them subscribes by
/// name: OpenTelemetry (Rill.ServiceDefaults), <c>dotnet-counters</c>, a <c>MeterListener</c> in a test.
/// </summary>
public static class RillTelemetry
{
    public const string MeterName = "Rill";

    public const string ActivitySourceName = "Rill";

    private static readonly string? Version = typeof(RillTelemetry).Assembly.GetName().Version?.ToString(3);

    /// <summary>Flink's metric names where Flink has one (numRecordsIn, busyTimeMsPerSecond, lastCheckpointDuration, …).</summary>
    public static Meter Meter { get; } = new(MeterName, Version);

    /// <summary>Job submission, deployment, checkpoints and rescales.</summary>
    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName, Version);
}
