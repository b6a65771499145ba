using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Rill.Tests.Shared;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Rill.Cluster.Tests;

/// <summary>
/// KafkaClickCounts end to end: clicks produced with an independent client (Confluent.Kafka) into the development broker (a
/// separate process), counted by the sample embedded and on a multi-process cluster, and checked against the counts computed
/// here: the output topic holds every window count, Redis the latest window per user, and malformed lines are in the
/// dead-letter topic. With at-least-once delivery and a TaskManager killed with SIGKILL, every count is still in the output
/// (duplicates are reported) and Redis holds exactly the expected values.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class KafkaClickCountsTests(RedisServer redis, ITestOutputHelper log) : IClassFixture<RedisServer>
{
    private const int Partitions = 4;
    private const int Users = 50;
    private const long WindowMs = 5_000;

    [Fact]
    public async Task Embedded_bounded_run_writes_every_window_count_to_the_output_topic_the_latest_per_user_to_Redis_and_malformed_lines_to_the_dead_letter_topic()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(90));
        using var broker = await DevKafkaBroker.StartAsync("--topic", $"clicks:{Partitions}", "--topic", "counts:2", "--topic", "clicks-dead-letters:1");
        var clicks = Clicks.Generate(count: 20_000, startMillis: 1_700_000_000_000, spanMillis: 120_000, seed: 7);
        Produce(broker.BootstrapServers, clicks, ["not,a,click", "1700000000000,user-x,/bad-user"]);
        await FlushRedisAsync();

        var job = harness.Start("embedded", Programs.KafkaClickCounts, "--bootstrap-servers", broker.BootstrapServers, "--input-topic", "clicks",
            "--output-topic", "counts", "--redis", $"127.0.0.1:{redis.Port}", "--bounded", "--parallelism", "2", "--window-ms", $"{WindowMs}");
        await harness.ExpectExitZeroAsync([job], TimeSpan.FromSeconds(60));

        var expected = Clicks.ExpectedCounts(clicks, WindowMs);
        var output = ReadLines(broker.BootstrapServers, "counts");
        var missing = expected.Except(output.Select(o => o.Value)).ToList();
        var unexpected = output.Select(o => o.Value).Except(expected).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0 && output.Count == expected.Count,
            $"{output.Count} output records for {expected.Count} expected counts; missing {missing.Count} (e.g. {string.Join(" ", missing.Take(5))}), "
            + $"unexpected {unexpected.Count} (e.g. {string.Join(" ", unexpected.Take(5))})\n{job.StandardError}");
        Assert.All(output, o => Assert.Equal(o.Value.Split(',')[2], o.Key));
        await AssertRedisHoldsLatestWindows(clicks);

        var dead = ReadLines(broker.BootstrapServers, "clicks-dead-letters");
        Assert.Equal(["1700000000000,user-x,/bad-user", "not,a,click"], dead.Select(d => d.Value).Order(StringComparer.Ordinal));
        Assert.Contains(dead, d => d.Reason == "user id 'user-x' is not a number");
    }

    [Fact]
    public async Task A_TaskManager_killed_with_SIGKILL_loses_no_count_with_at_least_once_delivery_and_Redis_holds_exactly_the_expected_values()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(150));
        using var broker = await DevKafkaBroker.StartAsync("--topic", $"clicks:{Partitions}", "--topic", "counts:2", "--topic", "clicks-dead-letters:1");
        await FlushRedisAsync();
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        string[] job =
        [
            "--bootstrap-servers", broker.BootstrapServers, "--input-topic", "clicks", "--output-topic", "counts", "--redis", $"127.0.0.1:{redis.Port}",
            "--parallelism", "4", "--window-ms", $"{WindowMs}", "--checkpointing", "200", "--checkpoint-dir", harness.PathOf("checkpoints"),
            "--delivery", "at-least-once", "--restart-strategy", "fixed-delay:10:0.5",
        ];
        var jobManager = harness.Start("jobmanager", Programs.KafkaClickCounts, [.. job, "--role", "jobmanager", "--slots", "0", "--rest-port", port]);
        var rest = await harness.WaitForRestAddressAsync(jobManager, TimeSpan.FromSeconds(30));
        string[] taskManagerArgs = [.. job, "--role", "taskmanager", "--jobmanager", $"http://127.0.0.1:{port}", "--slots", "2"];
        var taskManagers = Enumerable.Range(1, 2).Select(i => harness.Start($"taskmanager-{i}", Programs.KafkaClickCounts, taskManagerArgs)).ToList();
        string jobId = null!;
        await harness.WaitUntilAsync("the job runs on both TaskManagers", TimeSpan.FromSeconds(40), async () =>
        {
            var jobs = await harness.GetJobsAsync(rest);
            jobId = jobs.Count == 1 ? jobs[0].Id : null!;
            return jobId is not null && (await harness.GetJobAsync(rest, jobId)).Subtasks.All(s => s.Status == "RUNNING");
        });

        // The clicks arrive while the job runs: a first half, the kill after a checkpoint, then the rest.
        var clicks = Clicks.Generate(count: 40_000, startMillis: 1_700_000_000_000, spanMillis: 200_000, seed: 11);
        Produce(broker.BootstrapServers, clicks.Take(clicks.Count / 2), []);
        await harness.WaitUntilAsync("a checkpoint completed and counts reached the output topic", TimeSpan.FromSeconds(30), async () =>
            (await harness.GetCheckpointsAsync(rest, jobId)).HasCompletedSinceRestore && ReadLines(broker.BootstrapServers, "counts").Count > 0);
        var running = await harness.GetJobAsync(rest, jobId);
        var victim = taskManagers.First(p => running.Subtasks.Any(s => s.TaskManagerId is { } id && HaApplication.IsTaskManagerOf(id, p)));
        var before = await harness.GetCheckpointsAsync(rest, jobId);
        harness.Note($"SIGKILL to {victim.Name} (pid {victim.Id}); {before}");
        victim.KillHard();
        taskManagers.Add(harness.Start("taskmanager-3", Programs.KafkaClickCounts, taskManagerArgs));
        Produce(broker.BootstrapServers, clicks.Skip(clicks.Count / 2), []);
        // One click an hour later on every partition closes every window of the input (its own windows never close).
        Produce(broker.BootstrapServers, [], [], closeWindowsAt: clicks.Max(c => c.TimestampMillis) + 3_600_000);

        await harness.WaitUntilAsync("the job restored a checkpoint after the kill", TimeSpan.FromSeconds(40), async () =>
            (await harness.GetCheckpointsAsync(rest, jobId)).Restored > before.Restored);
        var expected = Clicks.ExpectedCounts(clicks, WindowMs).ToHashSet();
        List<(string Key, string Value, string? Reason)> output = [];
        await harness.WaitUntilAsync("every expected count is in the output topic", TimeSpan.FromSeconds(60), () =>
        {
            output = ReadLines(broker.BootstrapServers, "counts");
            return expected.IsSubsetOf(output.Select(o => o.Value));
        }, TimeSpan.FromMilliseconds(500), () => $"{expected.Except(output.Select(o => o.Value)).Count()} of {expected.Count} counts missing");

        var duplicates = output.Count - output.Select(o => o.Value).Distinct().Count();
        log.WriteLine($"{output.Count} output records for {expected.Count} expected counts: {duplicates} duplicates from the replay after the kill (at-least-once)");
        harness.Check(output.Select(o => o.Value).ToHashSet().SetEquals(expected), "The output topic has counts that were not expected (a wrong count, not a duplicate).");
        await AssertRedisHoldsLatestWindows(clicks);
        await harness.Http.PatchAsync(new Uri(rest, $"/jobs/{jobId}?mode=cancel"), null);
    }

    /// <summary>Both tests write the same users' hashes, which never move back to an older window: each starts empty.</summary>
    private async Task FlushRedisAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},allowAdmin=true");
        await connection.GetServer($"127.0.0.1:{redis.Port}").FlushAllDatabasesAsync();
    }

    private async Task AssertRedisHoldsLatestWindows(IReadOnlyList<Click> clicks)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var db = connection.GetDatabase();
        foreach (var user in clicks.GroupBy(c => c.UserId))
        {
            var lastWindow = user.Max(c => c.TimestampMillis - (c.TimestampMillis % WindowMs));
            var hash = (await db.HashGetAllAsync($"clickcounts:{user.Key}")).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
            Assert.Equal(lastWindow.ToString(CultureInfo.InvariantCulture), hash.GetValueOrDefault("windowStart"));
            Assert.Equal(user.Count(c => c.TimestampMillis - (c.TimestampMillis % WindowMs) == lastWindow).ToString(CultureInfo.InvariantCulture), hash.GetValueOrDefault("count"));
        }
    }

    /// <summary>Clicks to their user's partition (in timestamp order per partition), malformed lines to partition 0.</summary>
    private static void Produce(string bootstrap, IEnumerable<Click> clicks, IEnumerable<string> malformed, long? closeWindowsAt = null)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, LingerMs = 5 }).Build();
        foreach (var click in clicks)
        {
            producer.Produce(new TopicPartition("clicks", click.UserId % Partitions), new Message<string, string> { Key = $"{click.UserId}", Value = click.ToCsv() });
        }

        foreach (var line in malformed)
        {
            producer.Produce(new TopicPartition("clicks", 0), new Message<string, string> { Key = "malformed", Value = line });
        }

        if (closeWindowsAt is { } at)
        {
            for (var partition = 0; partition < Partitions; partition++)
            {
                var user = 1_000_000 + partition;
                producer.Produce(new TopicPartition("clicks", partition), new Message<string, string> { Key = $"{user}", Value = new Click(at, user).ToCsv() });
            }
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Every record of the topic now, with the dead-letter reason header when there is one.</summary>
    private static List<(string Key, string Value, string? Reason)> ReadLines(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "kafka-click-counts-tests",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var ends = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
        var open = ends.Where(e => e.Value > 0).Select(e => e.Key).ToHashSet();
        consumer.Assign(open.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var lines = new List<(string, string, string?)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (open.Count > 0 && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (!result.IsPartitionEOF)
            {
                var reason = result.Message.Headers?.TryGetLastBytes("rill.error", out var bytes) == true ? Encoding.UTF8.GetString(bytes) : null;
                lines.Add((result.Message.Key, result.Message.Value, reason));
            }

            if (result.Offset.Value + (result.IsPartitionEOF ? 0 : 1) >= ends[result.TopicPartition])
            {
                open.Remove(result.TopicPartition);
            }
        }

        return open.Count == 0 ? lines : throw new TimeoutException($"Reading '{topic}' did not reach its end within 30 s.");
    }

    private readonly record struct Click(long TimestampMillis, int UserId)
    {
        public string ToCsv() => string.Create(CultureInfo.InvariantCulture, $"{TimestampMillis},{UserId},/page/{UserId % 7}");
    }

    private static class Clicks
    {
        /// <summary>Seeded clicks with timestamps rising over the span (each partition stays in order), users 0..Users-1.</summary>
        public static List<Click> Generate(int count, long startMillis, long spanMillis, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(i => new Click(startMillis + (spanMillis * i / count), random.Next(Users))).ToList();
        }

        public static List<string> ExpectedCounts(IEnumerable<Click> clicks, long windowMs) =>
            clicks.GroupBy(c => (Start: c.TimestampMillis - (c.TimestampMillis % windowMs), c.UserId))
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key.Start},{g.Key.Start + windowMs},{g.Key.UserId},{g.Count()}"))
                .ToList();
    }
}
