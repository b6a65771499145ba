namespace Rill.Runtime.Scheduler;

/// <summary>Decides whether a failed job restarts, and after what delay (Flink's RestartBackoffTimeStrategy).</summary>
public interface IRestartStrategy
{
    /// <summary>Records a failure; returns the delay before restarting, or null when the job must fail.</summary>
    TimeSpan? OnFailure(DateTimeOffset now);

    string Description { get; }
}

public static class RestartStrategies
{
    /// <summary>The embedded default: a failing user function fails the job.</summary>
    public static Func<IRestartStrategy> None { get; } = () => new NoRestartStrategy();

    public static Func<IRestartStrategy> FixedDelay(int attempts, TimeSpan delay) => () => new FixedDelayRestartStrategy(attempts, delay);

    public static Func<IRestartStrategy> FailureRate(int maxFailuresPerInterval, TimeSpan interval, TimeSpan delay) =>
        () => new FailureRateRestartStrategy(maxFailuresPerInterval, interval, delay);
}

internal sealed class NoRestartStrategy : IRestartStrategy
{
    public TimeSpan? OnFailure(DateTimeOffset now) => null;

    public string Description => "none";
}

internal sealed class FixedDelayRestartStrategy(int attempts, TimeSpan delay) : IRestartStrategy
{
    private int _failures;

    public TimeSpan? OnFailure(DateTimeOffset now) => ++_failures <= attempts ? delay : null;

    public string Description => $"fixed-delay ({attempts} attempts, {delay.TotalMilliseconds} ms)";
}

internal sealed class FailureRateRestartStrategy(int maxFailures, TimeSpan interval, TimeSpan delay) : IRestartStrategy
{
    private readonly Queue<DateTimeOffset> _failures = new();

    public TimeSpan? OnFailure(DateTimeOffset now)
    {
        _failures.Enqueue(now);
        while (_failures.Count > 0 && now - _failures.Peek() > interval)
        {
            _failures.Dequeue();
        }

        return _failures.Count <= maxFailures ? delay : null;
    }

    public string Description => $"failure-rate ({maxFailures} per {interval}, {delay.TotalMilliseconds} ms)";
}
