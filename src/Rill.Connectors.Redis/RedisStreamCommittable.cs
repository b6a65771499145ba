namespace Rill.Connectors.Redis;

/// <summary>
/// Entries for one stream that one writer pre-committed at one checkpoint (at most a chunk of them: a large batch is cut
/// into chunks so no single script holds Redis for long). It lives in the checkpoint until committed. Writer, batch and
/// chunk identify it: the committer records the last (batch, chunk) it appended per writer and stream, so committing it
/// again after a restore appends nothing.
/// </summary>
/// <param name="WriterId">Unique per writer instance (subtask and attempt), so writers never share a commit marker.</param>
/// <param name="Batch">The writer's pre-commit number, increasing.</param>
/// <param name="Chunk">The chunk's place within the batch's entries for this stream, from 0.</param>
public sealed record RedisStreamCommittable(string Stream, string WriterId, long Batch, int Chunk, RedisStreamCommittable.Entry[] Entries)
{
    /// <summary>One stream entry's fields and values (binary-safe), in order.</summary>
    public sealed record Entry(string[] Fields, byte[][] Values);
}
