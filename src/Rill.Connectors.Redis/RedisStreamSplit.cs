using Rill.Sources;

namespace Rill.Connectors.Redis;

/// <summary>
/// One Redis stream and how far it has been read: <see cref="LastId"/> is the id of the last entry emitted (reading
/// resumes after it, as <c>XREAD … STREAMS key LastId</c>), which is the source's whole checkpointed state.
/// <see cref="EndId"/> is where a bounded read stops (the stream's last entry when the job started, inclusive); null
/// when unbounded. Splits cross processes as JSON and live in checkpoints, so they hold only strings.
/// </summary>
public sealed record RedisStreamSplit(string Stream, string LastId, string? EndId = null) : ISourceSplit
{
    public string SplitId => Stream;
}
