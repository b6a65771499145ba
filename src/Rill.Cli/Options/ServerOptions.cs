using System.CommandLine;
using System.Net;

namespace Rill.Cli.Options;

/// <summary>The network options JobManager and TaskManager processes share: same names, same checks, same help.</summary>
internal static class ServerOptions
{
    public static Option<IPAddress?> BindAddress(string what) => new("--bind-address")
    {
        Description = $"IP address {what} listen on; default 127.0.0.1 (loopback). Use 0.0.0.0 for every interface.",
        HelpName = "IP",
        CustomParser = OptionValues.Address,
    };

    public static Option<IPAddress?> AdvertisedAddress() => new("--advertised-address")
    {
        Description = "IP address other processes use to reach this one (a container's or pod's IP); default the bind address.",
        HelpName = "IP",
        CustomParser = OptionValues.Address,
    };

    public static Option<int> Port(string name, string description, int defaultValue) => new(name)
    {
        Description = description + (defaultValue == 0 ? " (0: a free port)." : "."),
        HelpName = "PORT",
        CustomParser = OptionValues.Port,
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<TimeSpan?> HeartbeatTimeout(string description) => new("--heartbeat-timeout")
    {
        Description = description + "; default 10.",
        HelpName = "SECONDS",
        CustomParser = OptionValues.Seconds,
    };

    public static Option<int?> HealthPort() => new("--health-port")
    {
        Description = $"Port that serves only /health (200 once registered with a JobManager) and /alive, over HTTP/1.1, for probes; "
            + $"default ${EnvironmentVariables.HealthPort}, else none (0: a free port).",
        HelpName = "PORT",
        CustomParser = result => OptionValues.Port(result),
    };

    /// <summary>The probe port from the option, else from the environment (as the application-mode processes read it); null for none.</summary>
    public static int? GetHealthPort(ParseResult parse, Option<int?> option)
    {
        if (parse.GetValue(option) is { } port)
        {
            return port;
        }

        var text = EnvironmentVariables.Get(EnvironmentVariables.HealthPort);
        return text is null ? null
            : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var fromEnvironment) && fromEnvironment <= 65535
                ? fromEnvironment
                : throw new UsageException($"{EnvironmentVariables.HealthPort} must be a TCP port (0-65535), got '{text}'.");
    }

    /// <summary>Loopback is the only address the REST API may serve without a token (anyone who reaches it can run code).</summary>
    public static bool NeedsToken(IPAddress bindAddress) => !IPAddress.IsLoopback(bindAddress);
}
