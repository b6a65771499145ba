using System.Globalization;
using System.Text;

namespace Rill.Cluster.Tests;

/// <summary>
/// A large ClickCounts input (<c>timestampMillis,userId,url</c>, see samples/ClickCounts/ClickCsv.cs) for the checkpoint
/// tests: long enough that a throttled job runs for half a minute, deterministic (fixed seed), written in about a second.
/// <list type="bullet">
/// <item>Timestamps advance 6 ms per line (2,000,000 lines = 200 minutes of event time: 200 one-minute windows).</item>
/// <item>One line in ten is up to 4 s out of order, within the 5 s the job's watermarks allow, often across a window
/// boundary. No click is ever late, however the parallel readers interleave: each reader reads a contiguous byte range
/// of the file, so its watermark trails its own clicks by ≥ 5 s, and the window operator's watermark is the minimum over
/// readers. So the job's output is the same on every run — embedded, distributed, restored from a checkpoint — and a
/// checkpointed run must reproduce it exactly, with <c>late: 0</c>.</item>
/// <item>1,500 users: 30 % of the clicks go to 30 heavy users, the rest spread over all (about 300,000 result lines).</item>
/// <item>Urls include a comma (<c>/products/7,8</c>): the url is everything after the second comma.</item>
/// </list>
/// </summary>
internal static class CheckpointedClickInput
{
    public const int Lines = 2_000_000;

    private const int Seed = 20_250_301;
    private const long MillisBetweenClicks = 6;
    private const int MaxOutOfOrderMillis = 4_000;

    private static readonly long StartMillis = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static readonly string[] Pages = ["/", "/search?q=rill", "/products/42", "/products/7,8", "/cart", "/checkout", "/help", "/users/ä/ü"];

    public static void Write(string path)
    {
        var random = new Random(Seed);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        Span<char> number = stackalloc char[24];
        for (long i = 0; i < Lines; i++)
        {
            var timestamp = StartMillis + (i * MillisBetweenClicks);
            if (random.Next(10) == 0)
            {
                timestamp -= random.Next(MaxOutOfOrderMillis + 1);
            }

            var user = random.Next(10) < 3 ? 1 + random.Next(30) : 1 + random.Next(1_500);
            timestamp.TryFormat(number, out var written, provider: CultureInfo.InvariantCulture);
            writer.Write(number[..written]);
            writer.Write(',');
            user.TryFormat(number, out written, provider: CultureInfo.InvariantCulture);
            writer.Write(number[..written]);
            writer.Write(',');
            writer.Write(Pages[random.Next(Pages.Length)]);
            writer.Write('\n');
        }
    }
}
