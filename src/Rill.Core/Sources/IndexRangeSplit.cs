namespace Rill.Sources;

/// <summary>
/// The positions Start, Start + Step, … below End: collection indexes or generator sequence numbers. An unbounded
/// generator's readers each take every Step-th number; the step stays with the split, so a restore at another
/// parallelism continues each sequence exactly where it stopped.
/// </summary>
public sealed record IndexRangeSplit(long Start, long End, int Step = 1) : ISourceSplit
{
    public string SplitId => $"{Start}-{End}";

    /// <summary>Cuts [0, count) into at most <paramref name="parts"/> ranges of near-equal length.</summary>
    public static IEnumerable<IndexRangeSplit> Divide(long count, int parts)
    {
        parts = (int)Math.Max(1, Math.Min(parts, Math.Max(count, 1)));
        for (var i = 0; i < parts; i++)
        {
            var start = count * i / parts;
            var end = count * (i + 1) / parts;
            if (end > start)
            {
                yield return new IndexRangeSplit(start, end);
            }
        }
    }
}
