using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.Stream;
using Streamiz.Kafka.Net.Table;

namespace Rill.Bench.Kafka;

/// <summary>
/// Streamiz.Kafka.Net (Kafka Streams for .NET): stream(input) → [selectKey(userId) →] groupByKey →
/// windowedBy(tumbling, grace = the whole input's event-time span) → count (in-memory window store) → toStream →
/// map to the output line → to(output). Event time from the CSV line through a timestamp extractor.
/// </summary>
/// <remarks>
/// <para>With <c>repartition</c> the key is taken from the parsed line (<c>SelectKey</c>), so Streamiz writes every
/// record through its repartition topic and reads it back before counting — the topology the benchmark issue asks
/// for, and the counterpart of Rill's <c>keyBy</c> network exchange. Without it the count groups by the record key,
/// which already is the user id (the producer partitioned by it): no repartition topic, less work for Streamiz.</para>
/// <para>Streamiz emits an update per count change (there is no end of input that would close the last windows for a
/// suppression), coalesced by the store's record cache until each commit; the bench compares the LAST count per
/// (window, user) with the expected result.</para>
/// </remarks>
public sealed class StreamizContender(StreamizSettings settings, ILoggerFactory logging) : IContender
{
    /// <summary>The window store; its changelog and repartition topics are named after it.</summary>
    public const string StoreName = "click-counts";

    public string Name => settings.Repartition ? "Streamiz 1.8.2, selectKey → repartition topic" : "Streamiz 1.8.2, groupByKey on the record key";

    public string Id => settings.Repartition ? "streamiz" : "streamiz-bykey";

    public string Settings =>
        $"{Name}: {settings.Threads} stream thread(s), in-memory window store ({(settings.CacheMb > 0 ? $"record cache {settings.CacheMb} MiB" : "no record cache")}, "
        + $"{(settings.Changelog ? "changelog topic" : "no changelog")}), commit every {settings.CommitMs} ms, at-least-once, range assignor (eager), "
        + $"producer compression {settings.Compression.ToString().ToLowerInvariant()}, fetch.queue.backoff.ms {ConsumerTuning.FetchQueueBackoffMs}";

    public static string ApplicationId(int run, bool repartition) => $"rill-bench-{(repartition ? "streamiz" : "streamiz-bykey")}-{run}";

    /// <summary>Kafka Streams' names: <c>&lt;application.id&gt;-&lt;store&gt;-repartition</c> and <c>-changelog</c>.</summary>
    public IReadOnlyList<string> InternalTopics(int run)
    {
        var prefix = ApplicationId(run, settings.Repartition) + "-" + StoreName;
        var topics = new List<string>();
        if (settings.Repartition)
        {
            topics.Add(prefix + "-repartition");
        }

        if (settings.Changelog)
        {
            topics.Add(prefix + "-changelog");
        }

        return topics;
    }

    public async Task<ContenderRun> RunAsync(BenchContext context, CancellationToken cancellation)
    {
        var config = new StreamConfig<StringSerDes, StringSerDes>
        {
            // First: setting the guarantee also resets the commit interval to its default for that guarantee.
            Guarantee = ProcessingGuarantee.AT_LEAST_ONCE,
            ApplicationId = ApplicationId(context.Run, settings.Repartition),
            BootstrapServers = context.BootstrapServers,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // Eager: the development broker loses partitions with cooperative-sticky's incremental rebalances.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
            NumStreamThreads = settings.Threads,
            CommitIntervalMs = settings.CommitMs,
            DefaultTimestampExtractor = new ClickTimestampExtractor(),
            StateDir = Path.Combine(context.WorkDirectory, $"{Id}-{context.Run}-state"),
            // The broker cannot create topics on request; the harness created the internal ones up front.
            AllowAutoCreateTopics = false,
            // Streamiz keeps the first logger factory in a static: one factory, alive for the whole bench.
            Logger = logging,
            // The repartition topic carries the whole input again: compressed as the input is, it fits the
            // development broker's ~5 MiB per partition as the input does.
            CompressionType = settings.Compression,
            FetchQueueBackoffMs = ConsumerTuning.FetchQueueBackoffMs,
        };

        var topology = Build(context).Build();
        using var watcher = context.WatchOutput();
        string? failure = null;
        long running = 0;
        var start = Stopwatch.GetTimestamp();
        using var stream = new KafkaStream(topology, config);
        stream.StateChanged += (_, now) =>
        {
            if (now == KafkaStream.State.RUNNING)
            {
                Interlocked.CompareExchange(ref running, Stopwatch.GetTimestamp(), 0);
            }
            else if (now == KafkaStream.State.ERROR || now == KafkaStream.State.PENDING_SHUTDOWN || now == KafkaStream.State.NOT_RUNNING)
            {
                // Only the bench stops Streamiz, after the output is complete: before that, any of these is a failure.
                failure = $"Streamiz went into state {now} (see streamiz.log in {context.WorkDirectory})";
            }
        };
        await stream.StartAsync(cancellation);
        var complete = await watcher.WaitForCompleteAsync(context.Timeout, context.IdleTimeout, () => failure, cancellation);
        var startup = Interlocked.Read(ref running) is var r and > 0 ? Stopwatch.GetElapsedTime(start, r) : (TimeSpan?)null;
        return new ContenderRun(Stopwatch.GetElapsedTime(start, complete), startup);
    }

    private StreamBuilder Build(BenchContext context)
    {
        var builder = new StreamBuilder();
        var clicks = builder.Stream<string, string>(context.InputTopic);
        var grouped = settings.Repartition
            ? clicks.SelectKey((_, line, _) => ClickLine.UserIdOf(line)).GroupByKey()
            : clicks.GroupByKey();

        // Grace = the input's whole event-time span: whatever the interleaving of partitions (and of the repartition
        // topic's writers), no click is dropped as late, as no click is late for Rill's watermarks either.
        var windows = TumblingWindowOptions.Of(TimeSpan.FromMilliseconds(context.WindowMs), context.EventTimeSpan);
        var store = InMemoryWindows.As<string, long>(StoreName)
            .WithKeySerdes(new StringSerDes())
            .WithValueSerdes(new Int64SerDes());
        store = settings.CacheMb > 0 ? store.WithCachingEnabled(CacheSize.OfMb(settings.CacheMb)) : store.WithCachingDisabled();
        store = settings.Changelog ? store.WithLoggingEnabled(null) : store.WithLoggingDisabled();

        grouped.WindowedBy(windows)
            .Count(store)
            .ToStream()
            .Map((window, count, _) => KeyValuePair.Create(window.Key, WindowCountLine.Value(window.Window.StartMs, window.Window.EndMs, window.Key, count)))
            .To<StringSerDes, StringSerDes>(context.OutputTopic);
        return builder;
    }
}
