using System.Diagnostics;
using Rill.Api;
using Rill.EventTime;
using Rill.Sinks;
using Rill.Sources;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Sources;

public sealed class CollectionAndGeneratorSourceTests
{
    [Theory]
    [InlineData(1, 10_000)]
    [InlineData(4, 10_000)]
    [InlineData(5, 3)] // more subtasks than elements
    [InlineData(3, 0)]
    public async Task CollectionSourceEmitsEachElementExactlyOnce(int parallelism, int count)
    {
        var elements = Enumerable.Range(0, count).Select(i => $"e{i}").ToList();
        var env = TestJobs.Env(parallelism);
        var result = await TestJobs.CollectAsync(env.FromCollection(elements).Map(new SubtaskTagger<string>()));
        Assert.Equal(elements.Order(StringComparer.Ordinal), result.Select(r => r.Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CollectionSourceSpreadsWorkOverTheSubtasks()
    {
        var env = TestJobs.Env(4);
        var result = await TestJobs.CollectAsync(env.FromCollection(Enumerable.Range(0, 4000)).Map(new SubtaskTagger<int>()));
        Assert.Equal(Enumerable.Range(0, 4000), result.Select(r => r.Value).Order());
        // Contiguous ranges: each subtask's elements are consecutive runs of the collection, emitted in order.
        foreach (var group in result.GroupBy(r => r.Subtask))
        {
            var values = group.Select(r => r.Value).ToList();
            Assert.True(values.Zip(values.Skip(1)).Count(p => p.Second != p.First + 1) < 4, $"subtask {group.Key} emitted out of order");
        }
    }

    [Theory]
    [InlineData(1, 100, 200.0)]
    [InlineData(2, 100, 200.0)]
    public async Task GeneratorRespectsItsRateLimit(int parallelism, int count, double recordsPerSecond)
    {
        var env = TestJobs.Env(parallelism);
        var clock = Stopwatch.StartNew();
        var result = await TestJobs.CollectAsync(env.FromSource(new DataGeneratorSource<long>(i => i * 3, count, recordsPerSecond),
            WatermarkStrategy<long>.NoWatermarks(), "Paced"));
        var elapsed = clock.Elapsed;

        Assert.Equal(Enumerable.Range(0, count).Select(i => i * 3L), result.Order());
        // Each of the p readers may emit one record at once and then rate / p per second.
        var minimum = TimeSpan.FromSeconds((count - parallelism) / recordsPerSecond);
        Assert.True(elapsed >= minimum * 0.95, $"{count} records at {recordsPerSecond}/s took only {elapsed.TotalMilliseconds} ms");
        Assert.True(elapsed < TimeSpan.FromSeconds(4), $"took {elapsed.TotalMilliseconds} ms, far slower than the rate");
    }

    [Fact]
    public async Task BoundedGeneratorWithoutRateEmitsItsSequence()
    {
        var env = TestJobs.Env(3);
        var result = await TestJobs.CollectAsync(env.FromSequence(-5, 20_000));
        Assert.Equal(Enumerable.Range(-5, 20_006).Select(i => (long)i), result.Order());
    }

    [Fact]
    public async Task UnboundedGeneratorInterleavesItsReadersAndStopsWhenCanceled()
    {
        var env = TestJobs.Env(2);
        using var cancellation = new CancellationTokenSource();
        var sink = new CancellingSink(cancellation, after: 400);
        env.FromSource(new DataGeneratorSource<long>(i => i, count: null, recordsPerSecond: 4000), WatermarkStrategy<long>.NoWatermarks(), "Endless")
            .SinkTo(sink);

        var run = env.ExecuteAsync("Endless", cancellation.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));

        var values = sink.Values;
        Assert.True(values.Count >= 400);
        Assert.Equal(values.Count, values.Distinct().Count()); // reader i emits i, i + 2, i + 4, ...: never the same number twice
        Assert.Contains(values, v => v % 2 == 0);
        Assert.Contains(values, v => v % 2 == 1);
    }

    private sealed class CancellingSink(CancellationTokenSource cancellation, int after) : ISink<long>
    {
        private readonly CollectSink<long> _inner = new();

        public IReadOnlyList<long> Values => _inner.Values;

        public ISinkWriter<long> CreateWriter(SinkWriterContext context) => new Writer(this, _inner.CreateWriter(context));

        private sealed class Writer(CancellingSink owner, ISinkWriter<long> inner) : ISinkWriter<long>
        {
            public void Write(long value, long? timestamp)
            {
                inner.Write(value, timestamp);
                if (owner._inner.Count >= owner.After)
                {
                    owner.Cancellation.Cancel();
                }
            }

            public void Flush(bool endOfInput) => inner.Flush(endOfInput);

            public void Dispose() => inner.Dispose();
        }

        private int After => after;

        private CancellationTokenSource Cancellation => cancellation;
    }

    [Fact]
    public void AnUnboundedGeneratorReaderWithTheSplitsOfTwoFormerSubtasksContinuesBothSequences()
    {
        // After a rescale from 2 to 1, one reader holds both endless sequences (even and odd numbers): it must read both,
        // and its checkpoint must hold both positions.
        var reader = new DataGeneratorSource<long>(i => i, count: null).CreateReader(new ReaderContext());
        reader.AddSplits([new IndexRangeSplit(10, long.MaxValue, Step: 2), new IndexRangeSplit(21, long.MaxValue, Step: 2)]);
        reader.Start();
        var output = new ListOutput<long>();
        for (var poll = 0; poll < 20; poll++)
        {
            Assert.Equal(InputStatus.MoreAvailable, reader.PollNext(output));
        }

        var even = output.Records.Where(r => r % 2 == 0).ToList();
        var odd = output.Records.Where(r => r % 2 == 1).ToList();
        Assert.True(even.Count > 1000 && odd.Count > 1000, $"read {even.Count} even and {odd.Count} odd numbers");
        Assert.Equal(Enumerable.Range(0, even.Count).Select(i => 10L + (2 * i)), even);
        Assert.Equal(Enumerable.Range(0, odd.Count).Select(i => 21L + (2 * i)), odd);
        var positions = reader.SnapshotState(1).OrderBy(s => s.Start % 2).ToList();
        Assert.Equal([10L + (2 * even.Count), 21L + (2 * odd.Count)], positions.Select(p => p.Start));
    }
}
