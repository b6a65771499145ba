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

    /// <summary>Loopback is the only address the REST API may serve without a token (anyone who reaches it can run code).</summary>
    public static bool NeedsToken(IPAddress bindAddress) => !IPAddress.IsLoopback(bindAddress);
}
