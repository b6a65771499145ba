using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Rill.Api;
using Rill.Connectors.Redis;
using Rill.EventTime;
using Rill.Functions;
using Rill.Serialization;
using Rill.Sinks;
using Rill.Tests.TestSupport;
using Rill.Windowing;
using StackExchange.Redis;

namespace Rill.Connectors.Tests.Redis;

/// <summary>
/// The Redis Streams source reads bounded streams up to their end at the job's start, resumes a restored job right
/// after the last entry before its checkpoint (no duplicates, no gaps), keeps reading new entries when unbounded, and
/// fails clearly when Redis cannot be reached.
/// </summary>
[Collection("Connector processes")]
public sealed class RedisStreamSourceTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private static readonly ConcurrentDictionary<string, int> Failures = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rill-redis-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task ABoundedSourceReadsEachStreamUpToItsLastEntryAtTheStartInOrderWithTheEntryTimeAsTimestamp()
    {
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        await AddEntries(db, $"{prefix}:a", 0, 1000);
        await AddEntries(db, $"{prefix}:b", 0, 300);
        var expected = new Dictionary<string, StreamEntry[]>
        {
            [$"{prefix}:a"] = await db.StreamRangeAsync($"{prefix}:a"),
            [$"{prefix}:b"] = await db.StreamRangeAsync($"{prefix}:b"),
            [$"{prefix}:missing"] = [],
        };
        var token = Guid.NewGuid().ToString("N");

        var env = RedisJobs.Env(2);
        var sink = new CollectSink<string>(recordTimestamps: true);
        env.FromSource(Source(prefix, "a", "b", "missing").SetBounded().Build(), WatermarkStrategy<string>.NoWatermarks(), "Streams")
            // Entries added once the job runs are after the ends it fixed at its start: they must not be read.
            .Map(record =>
            {
                if (Failures.TryAdd(token, 0))
                {
                    AddEntries(db, $"{prefix}:a", 1000, 10).GetAwaiter().GetResult();
                }

                return record;
            })
            .SinkTo(sink);
        await RedisJobs.RunAsync(env, "Bounded streams");

        var read = sink.ValuesWithTimestamps.Select(v => (Entry: v.Value.Split('|'), v.Timestamp)).ToList();
        foreach (var (stream, entries) in expected)
        {
            var fromStream = read.Where(r => r.Entry[0] == stream).ToList();
            Assert.Equal(entries.Select(e => $"{e.Id}|{e["n"]}"), fromStream.Select(r => $"{r.Entry[1]}|{r.Entry[2]}"));
            Assert.Equal(fromStream.Select(r => long.Parse(r.Entry[1].Split('-')[0], CultureInfo.InvariantCulture)), fromStream.Select(r => r.Timestamp!.Value));
        }

        Assert.Equal(1300, read.Count);
        Assert.Equal(1010, await db.StreamLengthAsync($"{prefix}:a"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ARestoredJobResumesEachStreamAfterItsLastCheckpointedEntryWithoutDuplicatesOrGaps(int parallelism)
    {
        const int perStream = 10_000;
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        await AddEntries(db, $"{prefix}:a", 0, perStream);
        await AddEntries(db, $"{prefix}:b", 0, perStream);
        var output = Path.Combine(_root, "out");
        var token = Guid.NewGuid().ToString("N");

        var env = RedisJobs.Env(parallelism);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(50));
        env.ConfigureCheckpointing(c => c with { Directory = Path.Combine(_root, "checkpoints") });
        env.Deployment = env.Deployment with { RestartStrategy = "fixed-delay:3:0.1" };
        env.FromSource(Source(prefix, "a", "b").SetBounded().Build(), WatermarkStrategy<string>.NoWatermarks(), "Streams")
            .Map(new SlowThenFailOnceAfterACommit(token, failFrom: perStream / 2, output)).Name("Fail Once")
            // The two-phase-committing file sink commits what the checkpoints cover: a source that re-read entries
            // before its checkpoint would duplicate lines, one that skipped entries would lose them.
            .SinkTo(new FileSink<string>(output), "Committed Output");
        await RedisJobs.RunAsync(env, "Resumed streams", TimeSpan.FromSeconds(60));

        Assert.Equal(1, Failures.GetValueOrDefault(token));
        var expected = new[] { "a", "b" }.SelectMany(s => Enumerable.Range(0, perStream).Select(n => $"{prefix}:{s}|{n}")).Order(StringComparer.Ordinal);
        var committed = Directory.EnumerateFiles(output).Where(f => !Path.GetFileName(f).StartsWith('.')).SelectMany(File.ReadLines)
            .Select(line => line.Split('|') is [var stream, _, var n] ? $"{stream}|{n}" : line);
        Assert.Equal(expected, committed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnUnboundedSourceReadsEntriesAddedWhileItRunsAlsoToAStreamThatDidNotExistYet()
    {
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        await AddEntries(db, $"{prefix}:a", 0, 100);
        var env = RedisJobs.Env(2);
        var sink = new CollectSink<string>();
        env.FromSource(Source(prefix, "a", "later").SetPollInterval(TimeSpan.FromMilliseconds(5)).Build(), WatermarkStrategy<string>.NoWatermarks(), "Streams")
            .SinkTo(sink);
        using var cancellation = new CancellationTokenSource();
        var run = env.ExecuteAsync("Unbounded streams", cancellation.Token);

        await WaitFor(() => sink.Count >= 100, run);
        await AddEntries(db, $"{prefix}:a", 100, 100);
        await AddEntries(db, $"{prefix}:later", 0, 50);
        await WaitFor(() => sink.Count >= 250, run);
        await Task.Delay(100); // nothing more may come
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));

        var values = sink.Values.Select(v => v.Split('|')).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(n => $"{n}"), values.Where(v => v[0] == $"{prefix}:a").Select(v => v[2]));
        Assert.Equal(Enumerable.Range(0, 50).Select(n => $"{n}"), values.Where(v => v[0] == $"{prefix}:later").Select(v => v[2]));
        Assert.Equal(250, values.Count);
    }

    [Fact]
    public async Task StartingFromTheLatestEntryReadsOnlyWhatIsAddedAfterTheJobStarted()
    {
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        await AddEntries(db, $"{prefix}:a", -50, 50);
        var env = RedisJobs.Env(1);
        var sink = new CollectSink<string>();
        env.FromSource(Source(prefix, "a").SetStartingId("$").SetPollInterval(TimeSpan.FromMilliseconds(5)).Build(), WatermarkStrategy<string>.NoWatermarks(), "Latest")
            .SinkTo(sink);
        using var cancellation = new CancellationTokenSource();
        var run = env.ExecuteAsync("Latest entries", cancellation.Token);

        // When the source fixes its start is unknown from outside: add entries until it sees one, then some more.
        var added = 0;
        while (sink.Count == 0)
        {
            Assert.False(run.IsCompleted, "The job ended early.");
            Assert.True(added < 2000, "The source read nothing of 2,000 entries added one by one.");
            await AddEntries(db, $"{prefix}:a", added++, 1);
            await Task.Delay(5);
        }

        await AddEntries(db, $"{prefix}:a", added, 20);
        added += 20;
        await WaitFor(() => sink.Values.LastOrDefault()?.EndsWith($"|{added - 1}", StringComparison.Ordinal) == true, run);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));

        var numbers = sink.Values.Select(v => int.Parse(v.Split('|')[2], CultureInfo.InvariantCulture)).ToList();
        Assert.True(numbers[0] >= 0, $"Read entry {numbers[0]}, which was there before the job started.");
        Assert.Equal(Enumerable.Range(numbers[0], added - numbers[0]), numbers);
    }

    [Fact]
    public async Task EachStreamHasItsOwnWatermarkSoAStreamThatRunsAheadMakesNoEntryOfAnotherLate()
    {
        // Stream "ahead" is an hour ahead of stream "behind"; each is in order (entry ids are the event times). One
        // reader reads both, several XREADs each (read count 500): with one watermark for the reader, the first batch of
        // "ahead" would make everything after it in "behind" late.
        const int perStream = 3000;
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        var batch = db.CreateBatch();
        var adds = Enumerable.Range(1, perStream).SelectMany(i => new[]
        {
            batch.StreamAddAsync($"{prefix}:ahead", "n", i, messageId: $"{3_600_000 + (i * 100)}-0"),
            batch.StreamAddAsync($"{prefix}:behind", "n", i, messageId: $"{i * 100}-0"),
        }).ToList();
        batch.Execute();
        await Task.WhenAll(adds);

        var late = new OutputTag<long>("late");
        var env = RedisJobs.Env(1);
        // A watermark after every poll of the reader, so one shared watermark would certainly overtake "behind".
        env.SetAutoWatermarkInterval(TimeSpan.FromMilliseconds(1));
        var source = RedisStreamSource<long>.Builder().SetConnection(redis.Address).SetStreams($"{prefix}:ahead", $"{prefix}:behind")
            .SetBounded().SetReadCount(500).SetDeserializer(e => e.Timestamp).Build();
        var counts = env.FromSource(source, WatermarkStrategy<long>.ForMonotonousTimestamps(), "Ticks")
            .KeyBy(_ => 0)
            .Window(TumblingEventTimeWindows.Of<long>(TimeSpan.FromMinutes(1)))
            .SideOutputLateData(late)
            .Aggregate(new CountAggregate<long>(), (_, _, count) => count);
        var lateSink = new CollectSink<long>();
        counts.GetSideOutput(late).SinkTo(lateSink);
        var windowed = new CollectSink<long>();
        counts.SinkTo(windowed);
        await RedisJobs.RunAsync(env, "Two streams, one ahead");

        Assert.Empty(lateSink.Values);
        Assert.Equal(2 * perStream, windowed.Values.Sum());
    }

    [Fact]
    public async Task TheReaderGivesEachStreamItsOutputBeforeAnyEntryReleasesItAtTheEndAndIsIdleOnlyWithoutStreams()
    {
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        await AddEntries(db, $"{prefix}:a", 0, 5);
        await AddEntries(db, $"{prefix}:b", 0, 1200);
        var ends = new Dictionary<string, string>();
        foreach (var stream in new[] { "a", "b" })
        {
            ends[stream] = (await db.StreamRangeAsync($"{prefix}:{stream}", count: 1, messageOrder: Order.Descending))[0].Id!;
        }

        var source = Source(prefix, "a", "b").SetBounded().SetReadCount(100).Build();
        using var reader = source.CreateReader(new ReaderContext());
        var output = new RecordingOutput();
        reader.Start();
        Assert.Equal(Rill.Sources.InputStatus.NothingAvailable, reader.PollNext(output));
        Assert.Equal(["idle"], output.Events);

        output.Events.Clear();
        reader.AddSplits([new RedisStreamSplit($"{prefix}:a", "0-0", ends["a"]), new RedisStreamSplit($"{prefix}:b", "0-0", ends["b"])]);
        reader.NotifyNoMoreSplits();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (reader.PollNext(output) != Rill.Sources.InputStatus.EndOfInput)
        {
            Assert.True(DateTime.UtcNow < deadline, "The reader did not reach the end of its streams.");
            await reader.IsAvailable().WaitAsync(TimeSpan.FromSeconds(5));
        }

        var events = output.Events;
        // Both outputs exist before the first entry, so the stream that has not delivered yet holds the watermark back.
        Assert.Equal([$"create:{prefix}:a", $"create:{prefix}:b"], events.Take(2));
        foreach (var stream in new[] { $"{prefix}:a", $"{prefix}:b" })
        {
            var collected = events.Select((e, i) => (e, i)).Where(x => x.e.StartsWith($"collect:{stream}|", StringComparison.Ordinal)).ToList();
            Assert.Equal(stream == $"{prefix}:a" ? 5 : 1200, collected.Count);
            // Released once, after its last entry: it no longer holds the watermark back, the other stream's still does.
            Assert.Equal(collected[^1].i + 1, events.IndexOf($"release:{stream}"));
            Assert.Single(events, $"release:{stream}");
        }

        Assert.True(events.IndexOf($"release:{prefix}:a") < events.FindLastIndex(e => e.StartsWith($"collect:{prefix}:b|", StringComparison.Ordinal)));
        // Streams to read: never idle (an unbounded stream with nothing new is made idle by WithIdleness, per stream).
        Assert.DoesNotContain("idle", events);
        Assert.DoesNotContain(events, e => e.StartsWith("main:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheEnumeratorAsksRedisOffTheCoordinatorThreadAndACheckpointBeforeTheAnswerLeavesTheEndsToTheRestoredJob()
    {
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        await AddEntries(db, $"{prefix}:a", 0, 5);
        var source = Source(prefix, "a", "b").SetBounded().Build();

        var context = new ManualEnumeratorContext(parallelism: 2);
        var enumerator = source.CreateEnumerator(context);
        enumerator.Start();
        enumerator.AddReader(0);
        enumerator.AddReader(1);
        // The query went to CallAsync; until its answer no reader gets a split with an unknown end.
        Assert.Single(context.Calls);
        Assert.Empty(context.Assigned);
        var checkpointed = enumerator.SnapshotState(1);
        Assert.Equal([RedisStreamSplit.LastEntryNow, RedisStreamSplit.LastEntryNow], checkpointed.Select(s => s.EndId));

        await context.RunCallsAsync();
        var endOfA = (await db.StreamRangeAsync($"{prefix}:a", count: 1, messageOrder: Order.Descending))[0].Id.ToString();
        Assert.Equal(
            [(0, new RedisStreamSplit($"{prefix}:a", "0-0", endOfA)), (1, new RedisStreamSplit($"{prefix}:b", "0-0", "0-0"))],
            context.Assigned.OrderBy(a => a.Subtask));
        Assert.Equal([0, 1], context.NoMoreSplits.Order());
        Assert.Empty(enumerator.SnapshotState(2));

        // A job restored from the early checkpoint fixes the ends at its own start, before its readers get the splits.
        await AddEntries(db, $"{prefix}:a", 5, 5);
        await AddEntries(db, $"{prefix}:b", 0, 3);
        var restoredContext = new ManualEnumeratorContext(parallelism: 2);
        var restored = source.RestoreEnumerator(restoredContext, checkpointed);
        restored.AddReader(1);
        restored.Start();
        restored.AddReader(0);
        Assert.Empty(restoredContext.Assigned);
        await restoredContext.RunCallsAsync();
        var ends = new List<string>();
        foreach (var stream in new[] { "a", "b" })
        {
            ends.Add((await db.StreamRangeAsync($"{prefix}:{stream}", count: 1, messageOrder: Order.Descending))[0].Id.ToString());
        }

        Assert.Equal(ends, restoredContext.Assigned.OrderBy(a => a.Subtask).Select(a => a.Split.EndId!));
    }

    [Fact]
    public async Task AnEnumeratorThatCannotReachRedisFailsFromItsAnswerNamingTheStreamsAndTheAddress()
    {
        var source = RedisStreamSource<string>.Builder().SetConnection(Unreachable).SetStreams("clicks", "views").SetDeserializer(e => e.Id).SetBounded().Build();
        var context = new ManualEnumeratorContext(parallelism: 1);
        var enumerator = source.CreateEnumerator(context);
        enumerator.Start();
        enumerator.AddReader(0);

        var error = await Assert.ThrowsAsync<IOException>(context.RunCallsAsync);
        Assert.Contains($"could not find the last entries of clicks, views at '{Unreachable}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"cannot connect to Redis at '{Unreachable}'", RedisJobs.Messages(error), StringComparison.Ordinal);
        Assert.Empty(context.Assigned);
    }

    [Fact]
    public async Task AMonitoringGroupShowsTheLastCheckpointedPositionAndIsNeverReadThrough()
    {
        var prefix = RedisJobs.UniquePrefix();
        using var client = RedisJobs.Connect(redis);
        var db = client.GetDatabase();
        await AddEntries(db, $"{prefix}:a", 0, 500);
        await AddEntries(db, $"{prefix}:b", 0, 200);
        // One stream already has the group (at its start), the other gets it created.
        await db.StreamCreateConsumerGroupAsync($"{prefix}:b", "rill-monitor", "0-0");
        var env = RedisJobs.Env(2);
        env.EnableCheckpointing(TimeSpan.FromMilliseconds(50));
        env.ConfigureCheckpointing(c => c with { Directory = Path.Combine(_root, "checkpoints") });
        var sink = new CollectSink<string>();
        env.FromSource(Source(prefix, "a", "b").SetBounded().SetMonitoringGroup("rill-monitor").Build(), WatermarkStrategy<string>.NoWatermarks(), "Streams")
            .SinkTo(sink);
        await RedisJobs.RunAsync(env, "Monitored streams");

        Assert.Equal(700, sink.Count);
        foreach (var stream in new[] { $"{prefix}:a", $"{prefix}:b" })
        {
            var last = (await db.StreamRangeAsync(stream, count: 1, messageOrder: Order.Descending))[0].Id;
            var group = Assert.Single(await db.StreamGroupInfoAsync(stream));
            Assert.Equal("rill-monitor", group.Name);
            // The final checkpoint covers everything; no consumer ever read through the group.
            Assert.Equal((string?)last, group.LastDeliveredId);
            Assert.Equal(0, group.PendingMessageCount);
            Assert.Equal(0, group.ConsumerCount);
        }
    }

    // Nothing listens on port 1. StackExchange.Redis sometimes waits its whole connect timeout for a refused
    // connection: a short one keeps the test fast.
    private const string Unreachable = "127.0.0.1:1,connectTimeout=300";

    [Fact]
    public async Task AnUnreachableRedisFailsTheJobNamingTheAddress()
    {
        // Bounded: the enumerator asks for the streams' ends at the start; unbounded from the beginning: the readers connect.
        foreach (var bounded in new[] { true, false })
        {
            var env = RedisJobs.Env(1);
            env.Deployment = env.Deployment with { RestartStrategy = "none" };
            var builder = RedisStreamSource<string>.Builder().SetConnection(Unreachable).SetStreams("clicks").SetDeserializer(e => e.Id);
            env.FromSource((bounded ? builder.SetBounded() : builder).Build(), WatermarkStrategy<string>.NoWatermarks(), "Clicks")
                .SinkTo(new CollectSink<string>());

            var error = await Assert.ThrowsAsync<JobExecutionException>(() => RedisJobs.RunAsync(env, "Unreachable"));
            Assert.Contains($"cannot connect to Redis at '{Unreachable}'", RedisJobs.Messages(error), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SplitsSurviveTheJsonOfOperatorEventsAndTheCheckpointSerializer()
    {
        var split = new RedisStreamSplit("clicks:{eu}", "1700000000000-3", "1700000000123-0");
        Assert.Equal(split, JsonSerializer.Deserialize<RedisStreamSplit>(JsonSerializer.Serialize(split)));
        var serializer = TypeSerializers.For<RedisStreamSplit>();
        var output = new DataOutputSerializer();
        serializer.Serialize(split with { EndId = null }, output);
        var input = new DataInputView();
        var bytes = output.WrittenSpan.ToArray();
        input.Reset(bytes, 0, bytes.Length);
        Assert.Equal(split with { EndId = null }, serializer.Deserialize(input));
    }

    [Fact]
    public void IncompleteOrInvalidConfigurationIsRefusedWhenTheSourceIsBuilt()
    {
        Assert.Contains("SetStreams", Assert.Throws<InvalidOperationException>(() =>
            RedisStreamSource<string>.Builder().SetConnection(redis.Address).SetDeserializer(e => e.Id).Build()).Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => RedisStreamSource<string>.Builder().SetStartingId("yesterday"));
        Assert.Throws<ArgumentException>(() => RedisStreamSource<string>.Builder().SetStreams("a", "a"));
    }

    private RedisStreamSourceBuilder<string> Source(string prefix, params string[] streams) =>
        RedisStreamSource<string>.Builder()
            .SetConnection(redis.Address)
            .SetStreams([.. streams.Select(s => $"{prefix}:{s}")])
            .SetDeserializer(e => $"{e.Stream}|{e.Id}|{e["n"]}");

    private static async Task AddEntries(IDatabase db, string stream, int from, int count)
    {
        var batch = db.CreateBatch();
        var adds = Enumerable.Range(from, count).Select(n => batch.StreamAddAsync(stream, "n", n)).ToList();
        batch.Execute();
        await Task.WhenAll(adds);
    }

    private static async Task WaitFor(Func<bool> condition, Task run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (run.IsCompleted)
            {
                await run; // the job's failure, if it failed
                Assert.Fail("The job ended before the condition held.");
            }

            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the source.");
            await Task.Delay(10);
        }
    }

    private sealed class ReaderContext : Rill.Sources.ISourceReaderContext
    {
        public int IndexOfSubtask => 0;

        public int NumberOfParallelSubtasks => 1;

        public Rill.Tasks.IProcessingTimeService ProcessingTime => Rill.Tasks.SystemProcessingTimeService.Instance;

        public void SendSplitRequest()
        {
        }
    }

    /// <summary>What the reader tells the source operator, in order: per-split outputs, their entries, releases, idleness.</summary>
    private sealed class RecordingOutput : Rill.Sources.IReaderOutput<string>
    {
        public List<string> Events { get; } = [];

        public void Collect(string record) => Events.Add($"main:{record}");

        public void Collect(string record, long timestamp) => Events.Add($"main:{record}");

        public Rill.Sources.IReaderOutput<string> CreateOutputForSplit(string splitId)
        {
            Events.Add($"create:{splitId}");
            return new SplitOutput(this);
        }

        public void ReleaseOutputForSplit(string splitId) => Events.Add($"release:{splitId}");

        public void MarkIdle() => Events.Add("idle");

        private sealed class SplitOutput(RecordingOutput owner) : Rill.Sources.IReaderOutput<string>
        {
            public void Collect(string record) => owner.Events.Add($"collect:{record}");

            public void Collect(string record, long timestamp) => owner.Events.Add($"collect:{record}");
        }
    }

    /// <summary>
    /// The coordinator side of an enumerator, driven by the test: CallAsync only records the call; <see cref="RunCallsAsync"/>
    /// runs each on the thread pool and then its handler, one call at a time, as the JobMaster runs handlers on its main thread.
    /// </summary>
    private sealed class ManualEnumeratorContext(int parallelism) : Rill.Sources.ISplitEnumeratorContext<RedisStreamSplit>
    {
        public List<Func<Task>> Calls { get; } = [];

        public List<(int Subtask, RedisStreamSplit Split)> Assigned { get; } = [];

        public List<int> NoMoreSplits { get; } = [];

        public int CurrentParallelism => parallelism;

        public void AssignSplit(RedisStreamSplit split, int subtask) => Assigned.Add((subtask, split));

        public void SignalNoMoreSplits(int subtask) => NoMoreSplits.Add(subtask);

        public void CallAsync<TResult>(Func<TResult> callable, Action<TResult?, Exception?> handler, TimeSpan initialDelay, TimeSpan period) =>
            Calls.Add(async () =>
            {
                TResult? result = default;
                Exception? error = null;
                try
                {
                    result = await Task.Run(callable);
                }
                catch (Exception e)
                {
                    error = e;
                }

                handler(result, error);
            });

        public async Task RunCallsAsync()
        {
            var calls = Calls.ToList();
            Calls.Clear();
            foreach (var call in calls)
            {
                await call();
            }
        }
    }

    /// <summary>
    /// Paces the job (so checkpoints happen while it runs) and fails it once, at an entry from the middle of a stream
    /// on, after the file sink has committed something (so a restart from scratch would duplicate committed lines).
    /// </summary>
    private sealed class SlowThenFailOnceAfterACommit(string token, int failFrom, string output) : IMapFunction<string, string>
    {
        private int _seen;

        public string Map(string value)
        {
            if (++_seen % 40 == 0)
            {
                Thread.Sleep(1);
            }

            if (int.Parse(value.Split('|')[2], CultureInfo.InvariantCulture) >= failFrom && !Failures.ContainsKey(token))
            {
                if (Directory.Exists(output) && Directory.EnumerateFiles(output, "part-*").Any() && Failures.TryAdd(token, 1))
                {
                    throw new InvalidOperationException("Injected failure.");
                }

                // No checkpoint committed yet (a loaded machine): slow down rather than let the rest pass before one does,
                // which would end the job without the failure this test is about.
                Thread.Sleep(5);
            }

            return value;
        }
    }
}
