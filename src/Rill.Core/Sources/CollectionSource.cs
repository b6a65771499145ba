namespace Rill.Sources;

/// <summary>
/// A bounded source over an in-memory list. Splits are index ranges, so a process that rebuilds the program
/// reads the same elements without the list ever being shipped.
/// </summary>
public sealed class CollectionSource<T>(IReadOnlyList<T> elements) : ISource<T, IndexRangeSplit>
{
    public Boundedness Boundedness => Boundedness.Bounded;

    public ISplitEnumerator<IndexRangeSplit> CreateEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context) =>
        new StaticSplitEnumerator<IndexRangeSplit>(context, IndexRangeSplit.Divide(elements.Count, context.CurrentParallelism));

    public ISplitEnumerator<IndexRangeSplit> RestoreEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context, IReadOnlyList<IndexRangeSplit> unassignedSplits) =>
        new StaticSplitEnumerator<IndexRangeSplit>(context, unassignedSplits);

    public ISourceReader<T, IndexRangeSplit> CreateReader(ISourceReaderContext context) => new Reader(context, elements);

    private sealed class Reader(ISourceReaderContext context, IReadOnlyList<T> elements) : SplitReaderBase<T, IndexRangeSplit>(context)
    {
        private long _next;

        protected override void OpenSplit(IndexRangeSplit split) => _next = split.Start;

        protected override IndexRangeSplit CurrentSplitWithProgress() => CurrentSplit! with { Start = _next };

        protected override SplitStatus ReadFromSplit(IReaderOutput<T> output, int maxRecords)
        {
            var end = Math.Min(CurrentSplit!.End, _next + maxRecords);
            if (elements is T[] array)
            {
                for (var i = _next; i < end; i++)
                {
                    output.Collect(array[i]);
                }
            }
            else
            {
                for (var i = _next; i < end; i++)
                {
                    output.Collect(elements[(int)i]);
                }
            }

            _next = end;
            return _next >= CurrentSplit.End ? SplitStatus.Finished : SplitStatus.MoreAvailable;
        }
    }
}
