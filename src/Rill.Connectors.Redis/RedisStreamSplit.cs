using Rill.Sources;

namespace Rill.Connectors.Redis;

/// <summary>
/// One Redis stream and how far it has been read: <see cref="LastId"/> is the id of the last entry emitted (reading
/// resumes after it, as <c>XREAD … STREAMS key LastId</c>), which is the source's whole checkpointed state.
/// <see cref="EndId"/> is where a bounded read stops (the stream's last entry when the job started, inclusive); null
/// when unbounded. Either may be <see cref="LastEntryNow"/> until the enumerator resolves it (as Flink's Kafka splits carry
/// "latest offset" until resolved); readers only ever get resolved splits. Splits cross processes as JSON and live in
/// checkpoints, so they hold only strings.
/// </summary>
public sealed record RedisStreamSplit(string Stream, string LastId, string? EndId = null) : ISourceSplit
{
    /// <summary>"The stream's last entry at the job's start" (Redis's own "$"), not an id yet.</summary>
    public const string LastEntryNow = "$";

    public string SplitId => Stream;

    /// <summary>A position still waits for the enumerator to ask Redis for the stream's last entry.</summary>
    internal bool IsUnresolved => LastId == LastEntryNow || EndId == LastEntryNow;

    /// <summary>This split with <see cref="LastEntryNow"/> replaced by <paramref name="lastEntryId"/>.</summary>
    internal RedisStreamSplit ResolvedAt(string lastEntryId) => this with
    {
        LastId = LastId == LastEntryNow ? lastEntryId : LastId,
        EndId = EndId == LastEntryNow ? lastEntryId : EndId,
    };
}
