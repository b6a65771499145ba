namespace Rill.Bench.Kafka;

/// <summary>
/// One way of running the keyed window count from <see cref="BenchContext.InputTopic"/> to
/// <see cref="BenchContext.OutputTopic"/>. The harness verifies the output afterwards; a contender only runs and times.
/// </summary>
public interface IContender
{
    /// <summary>The row name in the results table.</summary>
    string Name { get; }

    /// <summary>The name <c>--only</c> selects it by.</summary>
    string Id { get; }

    /// <summary>One line about the settings that matter for the comparison, printed before the runs.</summary>
    string Settings { get; }

    /// <summary>
    /// Topics (besides input and output) the contender needs in run <paramref name="run"/>, each with the input's
    /// partition count. The development broker cannot create topics on request (no CreateTopics), so the harness
    /// creates them when it starts the broker.
    /// </summary>
    IReadOnlyList<string> InternalTopics(int run);

    /// <summary>
    /// Processes the whole input into <see cref="BenchContext.OutputTopic"/> and returns the time from the start of
    /// the job to the moment its output was complete (see <see cref="BenchContext.WatchOutput"/>).
    /// </summary>
    Task<ContenderRun> RunAsync(BenchContext context, CancellationToken cancellation);
}
