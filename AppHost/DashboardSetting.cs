using Microsoft.Extensions.Configuration;

namespace Rill.AppHost;

/// <summary>
/// <c>Rill:DisableDashboard=true</c> runs the topology without Aspire's dashboard (headless machines, scripts). Aspire takes
/// this only as a builder option, so it is read from the command line and environment before the builder exists.
/// </summary>
internal static class DashboardSetting
{
    public const string Key = TopologySettings.Section + ":DisableDashboard";

    public static bool IsDisabled(string[] args)
    {
        var text = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build()[Key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        return bool.TryParse(text, out var disabled) ? disabled : throw new TopologyConfigurationException($"{Key} must be true or false, got '{text}'.");
    }
}
