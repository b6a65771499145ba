using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Rill.AppHost;

/// <summary>
/// The topology's settings, read from configuration (AppHost/appsettings.json, <c>--Rill:Key=value</c> after <c>--</c>,
/// environment <c>Rill__Key</c>) and checked before any resource is added, so bad values fail with one message and
/// nothing half-started.
/// </summary>
internal sealed record TopologySettings(
    InfrastructureFlavour Infrastructure,
    string InfrastructureReason,
    int TaskManagers,
    int SlotsPerTaskManager,
    long WindowMs,
    int CheckpointingMs,
    int ResourceStabilizationSeconds,
    int MinRescaleIntervalSeconds,
    int ClicksPerSecond,
    double EventTimeSpeed,
    int ClickUsers,
    string? RedisServerPath)
{
    public const string Section = "Rill";

    public static TopologySettings Read(IConfiguration configuration, bool isPublishMode)
    {
        var (flavour, reason) = ChooseInfrastructure(configuration[$"{Section}:Infrastructure"], isPublishMode);
        string? redisServer = null;
        if (flavour == InfrastructureFlavour.Local)
        {
            redisServer = ExecutableSearch.FindOnPath("redis-server") ?? throw new TopologyConfigurationException(
                "The local infrastructure flavour runs redis-server from PATH, and there is none. Install it (Debian/Ubuntu: "
                + "sudo apt-get install redis-server; Fedora: sudo dnf install redis; macOS: brew install redis), or start Docker or "
                + "Podman and set Rill:Infrastructure=containers.");
        }

        return new TopologySettings(
            flavour,
            reason,
            ReadInt(configuration, "TaskManagers", 2, minimum: 1, what: "the number of task manager replicas"),
            ReadInt(configuration, "SlotsPerTaskManager", 2, minimum: 1, what: "slots per task manager"),
            ReadInt(configuration, "WindowMs", 60_000, minimum: 1, what: "the window size in milliseconds"),
            ReadInt(configuration, "CheckpointingMs", 2_000, minimum: 10, what: "the checkpoint interval in milliseconds"),
            ReadInt(configuration, "ResourceStabilizationSeconds", 10, minimum: 0, what: "how long reactive mode waits for the slots to settle"),
            ReadInt(configuration, "MinRescaleIntervalSeconds", 30, minimum: 0, what: "the least time between two rescales up"),
            ReadInt(configuration, "ClicksPerSecond", 20, minimum: 1, what: "the click generator's rate"),
            ReadPositiveDouble(configuration, "EventTimeSpeed", 1.0, what: "event-time milliseconds per wall-clock millisecond"),
            ReadInt(configuration, "ClickUsers", 10, minimum: 1, what: "the number of distinct users clicking"),
            redisServer);
    }

    private static (InfrastructureFlavour Flavour, string Reason) ChooseInfrastructure(string? configured, bool isPublishMode)
    {
        InfrastructureFlavour? chosen = configured switch
        {
            null or "" => null,
            _ when configured.Equals("containers", StringComparison.OrdinalIgnoreCase) => InfrastructureFlavour.Containers,
            _ when configured.Equals("local", StringComparison.OrdinalIgnoreCase) => InfrastructureFlavour.Local,
            _ => throw new TopologyConfigurationException($"{Section}:Infrastructure must be 'containers' or 'local', got '{configured}'."),
        };
        if (isPublishMode)
        {
            // Deployment targets run containers; the development broker and a redis-server from PATH exist only here.
            return (InfrastructureFlavour.Containers, "publish mode always describes the container flavour");
        }

        if (chosen is { } flavour)
        {
            return (flavour, $"set by {Section}:Infrastructure");
        }

        return ContainerRuntimeProbe.FindAnsweringRuntime(out var findings) is { } runtime
            ? (InfrastructureFlavour.Containers, $"{runtime} answers ({findings}); set {Section}:Infrastructure=local to run without containers")
            : (InfrastructureFlavour.Local, $"no container engine answered within {ContainerRuntimeProbe.Timeout.TotalSeconds:0} s ({findings})");
    }

    private static int ReadInt(IConfiguration configuration, string key, int defaultValue, int minimum, string what)
    {
        var text = configuration[$"{Section}:{key}"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new TopologyConfigurationException($"{Section}:{key} ({what}) must be a whole number of at least {minimum}, got '{text}'.");
    }

    private static double ReadPositiveDouble(IConfiguration configuration, string key, double defaultValue, string what)
    {
        var text = configuration[$"{Section}:{key}"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return defaultValue;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? value
            : throw new TopologyConfigurationException($"{Section}:{key} ({what}) must be a number above 0, got '{text}'.");
    }
}
