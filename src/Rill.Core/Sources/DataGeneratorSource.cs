namespace Rill.Sources;

/// <summary>
/// Generates records from their sequence number (Flink's DataGeneratorSource). Bounded with a count, unbounded
/// without; an optional rate limit spreads records per second evenly over the parallel readers.
/// </summary>
public sealed class DataGeneratorSource<T> : ISource<T, IndexRangeSplit>
{
    private readonly Func<long, T> _generator;
    private readonly long? _count;
    private readonly double? _recordsPerSecond;

    public DataGeneratorSource(Func<long, T> generator, long? count, double? recordsPerSecond = null)
    {
        if (count is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "Count must not be negative.");
        }

        if (recordsPerSecond is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(recordsPerSecond), "Rate must be positive.");
        }

        _generator = generator;
        _count = count;
        _recordsPerSecond = recordsPerSecond;
    }

    public Boundedness Boundedness => _count is null ? Boundedness.ContinuousUnbounded : Boundedness.Bounded;

    public ISplitEnumerator<IndexRangeSplit> CreateEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context)
    {
        // Unbounded: each reader gets an interleaved infinite sequence i, i+p, i+2p... encoded as a range with End = long.MaxValue.
        var splits = _count is { } count
            ? IndexRangeSplit.Divide(count, context.CurrentParallelism)
            : Enumerable.Range(0, context.CurrentParallelism).Select(i => new IndexRangeSplit(i, long.MaxValue, context.CurrentParallelism));
        return new StaticSplitEnumerator<IndexRangeSplit>(context, splits);
    }

    public ISplitEnumerator<IndexRangeSplit> RestoreEnumerator(ISplitEnumeratorContext<IndexRangeSplit> context, IReadOnlyList<IndexRangeSplit> unassignedSplits) =>
        new StaticSplitEnumerator<IndexRangeSplit>(context, unassignedSplits);

    public ISourceReader<T, IndexRangeSplit> CreateReader(ISourceReaderContext context) =>
        new Reader(context, _generator, _count is null, _recordsPerSecond / context.NumberOfParallelSubtasks);

    private sealed class Reader(ISourceReaderContext context, Func<long, T> generator, bool unbounded, double? rate)
        : SplitReaderBase<T, IndexRangeSplit>(context)
    {
        private long _next;
        // The rate is the reader's, whichever split it reads: counted from its first split on.
        private long _emitted;
        private long _startedAt = -1;
        private Task _wait = Task.CompletedTask;

        protected override void OpenSplit(IndexRangeSplit split)
        {
            _next = split.Start;
            if (_startedAt < 0)
            {
                _startedAt = Environment.TickCount64;
            }
        }

        protected override IndexRangeSplit CurrentSplitWithProgress() => CurrentSplit! with { Start = _next };

        public override Task IsAvailable() => _wait.IsCompleted ? base.IsAvailable() : _wait;

        protected override SplitStatus ReadFromSplit(IReaderOutput<T> output, int maxRecords)
        {
            var budget = maxRecords;
            if (rate is { } perSecond)
            {
                var allowed = (long)((Environment.TickCount64 - _startedAt) * perSecond / 1000.0) + 1 - _emitted;
                if (allowed <= 0)
                {
                    var dueInMs = (long)Math.Ceiling(((_emitted + 1) * 1000.0 / perSecond) - (Environment.TickCount64 - _startedAt));
                    // The task's own timer thread, not Task.Delay: a starved thread pool would stall the source
                    // and then let it burst to catch up, distorting the rate.
                    var wake = new TaskCompletionSource();
                    var clock = Context.ProcessingTime;
                    clock.RegisterTimer(clock.CurrentTime + Math.Max(1, dueInMs), _ => wake.TrySetResult());
                    _wait = wake.Task;
                    return SplitStatus.NothingAvailable;
                }

                budget = (int)Math.Min(budget, allowed);
            }

            var step = CurrentSplit!.Step;
            for (var i = 0; i < budget; i++)
            {
                if (!unbounded && _next >= CurrentSplit!.End)
                {
                    return SplitStatus.Finished;
                }

                output.Collect(generator(_next));
                _next += step;
                _emitted++;
            }

            return unbounded ? SplitStatus.Yield : _next >= CurrentSplit!.End ? SplitStatus.Finished : SplitStatus.MoreAvailable;
        }
    }
}
