using System.Net;
using Rill.Runtime.Scheduler;

namespace Rill.Runtime.Entrypoint;

/// <summary>How a JobManager process runs: its endpoints, heartbeats and the cluster's default restart strategy.</summary>
public sealed record JobManagerConfiguration
{
    /// <summary>Where REST and RPC listen. Loopback by default; REST on any other address needs <see cref="RestAuthToken"/>.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The address TaskManagers and clients use; defaults to the bind address (loopback for a wildcard bind).</summary>
    public IPAddress? AdvertisedAddress { get; init; }

    /// <summary>Flink's default REST port; 0 picks an ephemeral one.</summary>
    public int RestPort { get; init; } = 8081;

    public string? RestAuthToken { get; init; }

    /// <summary>0: an ephemeral port (TaskManagers learn it from <c>GET /config</c> or the HA services).</summary>
    public int RpcPort { get; init; }

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The cluster default (Flink's with restarts enabled): fixed delay, 1 s, 10 attempts.</summary>
    public Func<IRestartStrategy> RestartStrategy { get; init; } = RestartStrategies.FixedDelay(10, TimeSpan.FromSeconds(1));

    public TimeSpan TaskCancellationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Session mode: where uploaded applications are kept; null serves no upload endpoints (application mode).</summary>
    public string? ArtifactDirectory { get; init; }

    /// <summary>The largest accepted upload; bigger ones get 413.</summary>
    public long MaxUploadBytes { get; init; } = 256L * 1024 * 1024;

    internal IPAddress EffectiveAdvertisedAddress => Rpc.AdvertisedAddresses.Resolve(BindAddress, AdvertisedAddress);
}
