using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Rill.Runtime.Observability;

/// <summary>
/// Whether a Rill process is ready (its <c>/health</c>): once every part it runs is, e.g. its JobManager serves and its
/// TaskManager is registered with a ResourceManager. A process with no part yet is still starting.
/// </summary>
public sealed class ProcessReadiness
{
    private readonly Metrics.LiveSources<Part> _parts = new();

    /// <param name="notReadyReason">Null when the part is ready, else why not; called on every probe, from any thread.</param>
    public IDisposable Add(string name, Func<string?> notReadyReason)
    {
        ArgumentNullException.ThrowIfNull(notReadyReason);
        return _parts.Add(new Part(name, notReadyReason));
    }

    public HealthCheckResult Check()
    {
        var parts = _parts.Snapshot;
        if (parts.Length == 0)
        {
            return HealthCheckResult.Unhealthy("The process is starting.");
        }

        var waiting = parts.Select(p => p.NotReadyReason() is { } reason ? $"{p.Name}: {reason}" : null).OfType<string>().ToList();
        return waiting.Count == 0
            ? HealthCheckResult.Healthy($"Ready: {string.Join(", ", parts.Select(p => p.Name))}.")
            : HealthCheckResult.Unhealthy(string.Join(" ", waiting));
    }

    private sealed record Part(string Name, Func<string?> NotReadyReason);
}
