namespace Rill.Bench.Kafka;

/// <summary>What a contender gets for one run: where the broker is, which topics to read and write, and the job's parameters.</summary>
public sealed record BenchContext
{
    public required string BootstrapServers { get; init; }

    /// <summary>The input: key = user id, value = <c>timestampMillis,userId,url</c>, both UTF-8; already complete when a run starts.</summary>
    public required string InputTopic { get; init; }

    /// <summary>Where this run's results go (a fresh, empty topic per contender and run), in <see cref="WindowCountLine"/>'s format.</summary>
    public required string OutputTopic { get; init; }

    /// <summary>Partitions of the input, output and internal topics.</summary>
    public required int Partitions { get; init; }

    /// <summary>Size of the tumbling event-time windows.</summary>
    public required long WindowMs { get; init; }

    /// <summary>Records on the input topic.</summary>
    public required long EventCount { get; init; }

    /// <summary>How far the input's timestamps reach from the first to the last (plus jitter); a grace period of this much makes nothing late.</summary>
    public required TimeSpan EventTimeSpan { get; init; }

    /// <summary>The run's number, from 1; part of the contender's topic and group names.</summary>
    public required int Run { get; init; }

    /// <summary>A fresh folder for the contender's files (state directories, logs); deleted after the bench.</summary>
    public required string WorkDirectory { get; init; }

    public required ExpectedCounts Expected { get; init; }

    /// <summary>Longest a run may take before the bench gives up.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>Longest the output may stay silent, once it started, before the bench gives up.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Starts reading <see cref="OutputTopic"/> from the beginning; its <see cref="OutputWatcher.WaitForCompleteAsync"/>
    /// tells when the output holds the expected count for every (window, user). Start it before the job.
    /// </summary>
    public OutputWatcher WatchOutput() => new(BootstrapServers, OutputTopic, Partitions, Expected);
}
