using Rill.Api;
using Rill.EventTime;
using Rill.Sources;

namespace Rill.Samples.ClickCounts;

/// <summary>
/// The click stream used without --input: 3,000 clicks of 8 users over 10 minutes of event time, the same on every
/// run (each click is computed from its index with a fixed seed). Most clicks are up to 4 s out of order, within
/// the 5 s the watermarks allow; every 500th click is an hour old, as from a phone that was offline.
/// </summary>
internal static class ClickGenerator
{
    public const long Count = 3_000;

    private const int Seed = 20_240_101;
    private const int Users = 8;
    private const long MillisBetweenClicks = 200;
    private const int MaxOutOfOrderMillis = 4_000;

    // Paced so the stream lasts about a second: watermarks are emitted every 200 ms of wall-clock time, and only
    // a watermark that passed an hour-old click's window before the click arrives makes it late. An unpaced
    // generator would finish before the first watermark, and nothing would ever be late.
    private const double ClicksPerSecond = 3_000;

    private static readonly long StartMillis = new DateTimeOffset(2024, 1, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static readonly string[] Pages = ["/", "/search?q=rill", "/products/42", "/products/7,8", "/cart", "/checkout", "/help"];

    /// <summary>
    /// One ordered stream (parallelism 1), as from a single log: how far event time has progressed, and so which
    /// clicks are late, then depends on the order of the clicks, not on how parallel readers interleave.
    /// </summary>
    public static DataStream<Click> CreateStream(StreamExecutionEnvironment env, WatermarkStrategy<Click> watermarks) =>
        env.FromSource(new DataGeneratorSource<Click>(ClickAt, Count, ClicksPerSecond), watermarks, "Click Generator")
            .SetParallelism(1);

    public static Click ClickAt(long index)
    {
        var random = new Random(unchecked(Seed + (int)index));
        var userId = 1 + random.Next(Users);
        var url = Pages[random.Next(Pages.Length)];
        var time = StartMillis + (index * MillisBetweenClicks);
        var timestamp = index % 500 == 250
            ? time - (long)TimeSpan.FromHours(1).TotalMilliseconds
            : time - random.Next(MaxOutOfOrderMillis + 1);
        return new Click(timestamp, userId, url);
    }
}
