namespace Rill.Tasks;

/// <summary>Wall-clock time for processing-time semantics; timers call back on a pool thread, callers hop to the mailbox.</summary>
public interface IProcessingTimeService
{
    /// <summary>Milliseconds since the Unix epoch.</summary>
    long CurrentTime { get; }

    IDisposable RegisterTimer(long time, Action<long> callback);
}

public sealed class SystemProcessingTimeService : IProcessingTimeService
{
    public static readonly SystemProcessingTimeService Instance = new();

    public long CurrentTime => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public IDisposable RegisterTimer(long time, Action<long> callback)
    {
        var delay = Math.Max(0, time - CurrentTime);
        return new Timer(_ => callback(time), null, TimeSpan.FromMilliseconds(delay), Timeout.InfiniteTimeSpan);
    }
}
