using System.Net;
using Rill.Network;

namespace Rill.Runtime.TaskExecutor;

/// <summary>How a TaskManager process runs: its slots, where it listens and what it tells its peers.</summary>
public sealed record TaskManagerConfiguration
{
    /// <summary>Unique in the cluster; by default host name, process id and a random suffix.</summary>
    public string TaskManagerId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    public int NumberOfSlots { get; init; } = 2;

    /// <summary>Where the RPC and data endpoints listen. Loopback by default: a cluster across machines sets it.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The address peers use to reach this TaskManager (a container's or pod's IP); defaults to the bind address.</summary>
    public IPAddress? AdvertisedAddress { get; init; }

    /// <summary>0: an ephemeral port.</summary>
    public int RpcPort { get; init; }

    /// <summary>0: an ephemeral port.</summary>
    public int DataPort { get; init; }

    public NetworkConfig Network { get; init; } = NetworkConfig.Default;

    /// <summary>Without a heartbeat from the JobManager for this long, the TaskManager considers it gone.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal IPAddress EffectiveAdvertisedAddress => Rpc.AdvertisedAddresses.Resolve(BindAddress, AdvertisedAddress);
}
