using System.Net.Http.Json;
using System.Text.Json;

namespace Rill.Runtime.HighAvailability;

/// <summary>Where the current JobManager leader answers: its RPC endpoint, its REST API and its leadership term.</summary>
public sealed record LeaderAddress(string RpcAddress, string RestAddress, long FencingToken);

/// <summary>How TaskManagers and clients find the JobManager leader (Flink's LeaderRetrievalService).</summary>
public interface ILeaderRetrieval
{
    /// <summary>The current leader, or null when none is known right now (the caller retries).</summary>
    Task<LeaderAddress?> GetLeaderAsync(CancellationToken cancellation);
}

/// <summary>
/// A fixed JobManager given by its REST URL (<c>--jobmanager http://host:8081</c>): its RPC address and term come from
/// <c>GET /config</c>, so only the REST port needs to be known.
/// </summary>
public sealed class RestLeaderRetrieval(Uri restAddress, string? authToken = null) : ILeaderRetrieval, IDisposable
{
    private readonly HttpClient _http = CreateClient(restAddress, authToken);

    private static HttpClient CreateClient(Uri restAddress, string? authToken)
    {
        var http = new HttpClient { BaseAddress = restAddress, Timeout = TimeSpan.FromSeconds(5) };
        if (!string.IsNullOrEmpty(authToken))
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", authToken);
        }

        return http;
    }

    public async Task<LeaderAddress?> GetLeaderAsync(CancellationToken cancellation)
    {
        try
        {
            using var config = await _http.GetFromJsonAsync<JsonDocument>("config", cancellation).ConfigureAwait(false);
            var root = config!.RootElement;
            if (!root.TryGetProperty("rpc-address", out var rpc) || !root.TryGetProperty("fencing-token", out var token))
            {
                return null; // a JobManager that is not (or no longer) the leader serves no RPC address
            }

            return new LeaderAddress(rpc.GetString()!, restAddress.ToString(), token.GetInt64());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            return null; // not up yet, or gone: the caller retries
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The leader as the HA services record it (<c>--cluster redis://…</c>).</summary>
public sealed class HighAvailabilityLeaderRetrieval(IHighAvailabilityServices services) : ILeaderRetrieval
{
    public async Task<LeaderAddress?> GetLeaderAsync(CancellationToken cancellation)
    {
        var leader = await services.GetLeaderAsync().WaitAsync(cancellation).ConfigureAwait(false);
        return leader is null ? null : LeaderAddresses.Parse(leader.Address, leader.FencingToken);
    }
}

/// <summary>The leader address as HA stores it: one string holding the RPC and REST endpoints.</summary>
public static class LeaderAddresses
{
    public static string Format(string rpcAddress, string restAddress) => $"rpc={rpcAddress};rest={restAddress}";

    public static LeaderAddress? Parse(string address, long fencingToken)
    {
        var parts = address.Split(';').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return parts.TryGetValue("rpc", out var rpc) && parts.TryGetValue("rest", out var rest) ? new LeaderAddress(rpc, rest, fencingToken) : null;
    }
}
