namespace Rill.Bench.Kafka;

/// <summary>
/// The seam for Rill: Kafka source → parse → keyBy(userId) → tumbling event-time window count → Kafka sink into
/// <see cref="BenchContext.OutputTopic"/>, one line per (window, user) in <see cref="WindowCountLine"/>'s format, keyed by
/// the user id. To be written once Rill's Kafka connectors (src/Rill.Connectors.Kafka) are merged.
/// </summary>
public sealed class RillContender : IContender
{
    public string Name => "Rill";

    public string Id => "rill";

    public string Settings => "Rill: Kafka source → keyBy(userId) → tumbling event-time window count → Kafka sink (not written yet)";

    public IReadOnlyList<string> InternalTopics(int run) => [];

    public Task<ContenderRun> RunAsync(BenchContext context, CancellationToken cancellation) =>
        throw new NotImplementedException("Rill's Kafka connectors are not merged yet");
}
