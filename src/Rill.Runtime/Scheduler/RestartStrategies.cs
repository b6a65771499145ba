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

    /// <summary>The forms <see cref="Parse"/> accepts, for help texts and error messages.</summary>
    public const string Syntax = "none | fixed-delay:ATTEMPTS:DELAY_S | failure-rate:MAX_FAILURES:INTERVAL_S:DELAY_S";

    /// <summary>Reads a restart strategy from a command line value such as <c>fixed-delay:10:1</c>.</summary>
    /// <exception cref="ArgumentException">Not one of the <see cref="Syntax"/> forms.</exception>
    public static Func<IRestartStrategy> Parse(string spec)
    {
        var parts = spec.Split(':');
        var numbers = parts.Skip(1).Select(p => double.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : -1).ToArray();
        return (parts[0], numbers) switch
        {
            ("none", []) => None,
            ("fixed-delay", [var attempts, var delay]) when attempts >= 1 && attempts == Math.Floor(attempts) && delay >= 0 =>
                FixedDelay((int)attempts, TimeSpan.FromSeconds(delay)),
            ("failure-rate", [var failures, var interval, var delay]) when failures >= 1 && failures == Math.Floor(failures) && interval > 0 && delay >= 0 =>
                FailureRate((int)failures, TimeSpan.FromSeconds(interval), TimeSpan.FromSeconds(delay)),
            _ => throw new ArgumentException($"'{spec}' is not a restart strategy; use {Syntax}."),
        };
    }
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
