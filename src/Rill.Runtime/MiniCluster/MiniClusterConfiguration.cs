using Rill.Network;
using Rill.Runtime.Scheduler;

namespace Rill.Runtime.MiniCluster;

public sealed record MiniClusterConfiguration
{
    public int NumberOfTaskManagers { get; init; } = 1;

    public int SlotsPerTaskManager { get; init; } = 1;

    public NetworkConfig Network { get; init; } = NetworkConfig.Default;

    /// <summary>Embedded default: no restarts, so a failing user function fails the job.</summary>
    public Func<IRestartStrategy> RestartStrategy { get; init; } = RestartStrategies.None;

    /// <summary>
    /// False (default): the TaskManagers share one in-memory shuffle. True: each TaskManager keeps its own partitions
    /// and serves them over TCP on loopback, so exchanges between TaskManagers take the distributed data plane.
    /// </summary>
    public bool ExchangeOverTcp { get; init; }

    /// <summary>How often the ResourceManager asks each TaskManager for a heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A TaskManager that does not answer within this time is considered dead (a refused connection counts at once).</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a canceled task may take to stop before it is given up on (Flink's task.cancellation.timeout).</summary>
    public TimeSpan TaskCancellationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Serve the REST API on this port (0 picks a free one); null serves none.</summary>
    public int? RestPort { get; init; }

    /// <summary>Where REST listens: loopback unless set; any other address needs <see cref="RestAuthToken"/>.</summary>
    public System.Net.IPAddress? RestBindAddress { get; init; }

    /// <summary>A bearer token every REST request must carry; required when binding beyond loopback.</summary>
    public string? RestAuthToken { get; init; }
}
