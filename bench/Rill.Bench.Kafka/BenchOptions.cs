using System.Globalization;
using Confluent.Kafka;

namespace Rill.Bench.Kafka;

public sealed record BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Rill.Bench.Kafka -- [options]

        Kafka → keyed tumbling-window count → Kafka through the development broker (src/Rill.DevKafka), Rill against
        Streamiz.Kafka.Net on the same input in the same run, plus a plain Confluent.Kafka consumer as the ceiling.

          --events N           input records (1000000)
          --partitions P       partitions of every topic (8); the broker keeps ~5 MiB per partition
          --window-ms N        tumbling window size (60000)
          --users N            distinct user ids (1000)
          --minutes N          event-time span of the input (120)
          --seed N             generator seed (42)
          --runs N             runs of each contender, the median is reported (3)
          --only A,B           contenders: ceiling, streamiz, streamiz-bykey, rill (parallelism 1), rill-p2 (all)
          --compression C      compression of the input (and of Streamiz's topics): none, lz4, zstd, gzip, snappy (lz4)
          --streamiz-threads N     Streamiz stream threads (1)
          --streamiz-commit-ms N   Streamiz commit interval (1000)
          --streamiz-cache-mb N    Streamiz window-store record cache, 0 = off (10)
          --streamiz-changelog on|off   Streamiz window-store changelog topic (on)
          --timeout-s N        longest a single run may take (600)
          --keep               keep the work directory (logs, broker output) at the end
          --help
        """;

    public long Events { get; init; } = 1_000_000;

    public int Partitions { get; init; } = 8;

    public long WindowMs { get; init; } = 60_000;

    public int Users { get; init; } = 1_000;

    public int Minutes { get; init; } = 120;

    public ulong Seed { get; init; } = 42;

    public int Runs { get; init; } = 3;

    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>(Contenders);

    // 1,000,000 uncompressed records overflow 8 partitions of the development broker (~5 MiB each); lz4 keeps
    // them to about half of that. Streamiz's own topics (the repartition topic carries the input again) use the same.
    public CompressionType Compression { get; init; } = CompressionType.Lz4;

    // More threads join the group one by one: on the development broker the rebalances fence threads that already
    // processed records, and at-least-once reprocessing then double-counts (seen with 2 and 4 threads), while 2
    // threads were not measurably faster than 1 on 2 cores.
    public int StreamizThreads { get; init; } = 1;

    // Streamiz flushes its record cache downstream at each commit: the at-least-once default (30 s) would add up to
    // 30 s to every run; 100 ms was slower (each commit flushes the producer and commits offsets synchronously).
    public long StreamizCommitMs { get; init; } = 1000;

    public int StreamizCacheMb { get; init; } = 10;

    public bool StreamizChangelog { get; init; } = true;

    public int TimeoutSeconds { get; init; } = 600;

    public bool Keep { get; init; }

    public bool Help { get; init; }

    public static IReadOnlyList<string> Contenders { get; } = ["ceiling", "streamiz", "streamiz-bykey", "rill", "rill-p2"];

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            long Long() => long.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            int Int() => int.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--events" => options with { Events = Long() },
                "--partitions" => options with { Partitions = Int() },
                "--window-ms" => options with { WindowMs = Long() },
                "--users" => options with { Users = Int() },
                "--minutes" => options with { Minutes = Int() },
                "--seed" => options with { Seed = ulong.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture) },
                "--runs" => options with { Runs = Int() },
                "--only" => options with { Only = ParseOnly(Next()) },
                "--compression" => options with { Compression = ParseCompression(Next()) },
                "--streamiz-threads" => options with { StreamizThreads = Int() },
                "--streamiz-commit-ms" => options with { StreamizCommitMs = Long() },
                "--streamiz-cache-mb" => options with { StreamizCacheMb = Int() },
                "--streamiz-changelog" => options with { StreamizChangelog = Next() switch { "on" => true, "off" => false, var v => throw new ArgumentException($"--streamiz-changelog takes on or off, got '{v}'.") } },
                "--timeout-s" => options with { TimeoutSeconds = Int() },
                "--keep" => options with { Keep = true },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'."),
            };
        }

        if (options.Events is < 1 or > int.MaxValue || options.Partitions < 1 || options.WindowMs < 1 || options.Users < 1 || options.Minutes < 1
            || options.Runs < 1 || options.StreamizThreads < 1 || options.StreamizCommitMs < 1 || options.StreamizCacheMb < 0 || options.TimeoutSeconds < 1)
        {
            throw new ArgumentException("Counts, sizes and times must be positive (--streamiz-cache-mb may be 0), --events at most 2^31-1.");
        }

        return options;
    }

    private static HashSet<string> ParseOnly(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        var unknown = names.Except(Contenders).ToList();
        return unknown.Count == 0 && names.Count > 0
            ? names
            : throw new ArgumentException($"--only takes a comma-separated list of {string.Join(", ", Contenders)}; unknown: {string.Join(", ", unknown)}.");
    }

    private static CompressionType ParseCompression(string text) => text switch
    {
        "none" => CompressionType.None,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        _ => throw new ArgumentException($"--compression takes none, lz4, zstd, gzip or snappy, got '{text}'."),
    };
}
